"""
Reading one uploaded file from a multipart/form-data request, bounded: the
request's declared length is checked before Django parses anything, and the
file's own size after. Knows nothing of chats: the caller says how large a
file may be and what to raise when it is larger.
"""

from dataclasses import dataclass

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext_lazy as _

from infra.errors import ClientError

# What a multipart body carries besides the file: the boundary lines, the
# part headers and the small fields (client_id). Generous for any browser.
MULTIPART_OVERHEAD_BYTES = 16 * 1024


class InvalidUpload(ClientError):
    code = "invalid_upload"
    message = _("Send the file as multipart/form-data with the field “file”.")


@dataclass(frozen=True)
class Upload:
    content: bytes
    name: str
    fields: dict


def declared_length(request):
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def check_declared_length(request, *, max_bytes, too_large):
    """Raise ``too_large`` when the request says it carries more than a file of ``max_bytes`` and its form."""
    if declared_length(request) > max_bytes + MULTIPART_OVERHEAD_BYTES:
        raise too_large


def read_upload(request, *, field="file", max_bytes, too_large):
    """
    The file of ``field`` with the request's other fields (strings). Raises
    InvalidUpload for another content type or a broken body, ``too_large``
    for more than ``max_bytes``.
    """
    if request.content_type != "multipart/form-data":
        raise InvalidUpload()
    check_declared_length(request, max_bytes=max_bytes, too_large=too_large)
    try:
        files = request.FILES
        fields = {key: request.POST.get(key, "") for key in request.POST}
    except (MultiPartParserError, RequestDataTooBig, TooManyFieldsSent, SuspiciousOperation, UnicodeDecodeError):
        raise InvalidUpload() from None
    uploaded = files.get(field)
    if uploaded is None or len(files) != 1:
        raise InvalidUpload()
    try:
        if uploaded.size > max_bytes:
            raise too_large
        content = uploaded.read(max_bytes + 1)
        if len(content) > max_bytes:
            raise too_large
        return Upload(content=content, name=uploaded.name or "", fields=fields)
    finally:
        uploaded.close()
