"""
What the widget's JSON endpoints share (docs/api.md): who may call them, the
JSON body checked once where it comes in, and errors with a code and a
translated message in the channel's language.

Who may call: the endpoints that take a body are csrf_exempt (the widget has
no session, so Django's CSRF token has nothing to bind to) and are refused
instead unless the browser says the request comes from this site's own pages:
an Origin header naming this site, no Sec-Fetch-Site of another site, and a
JSON content type, which a foreign page can only send after a CORS preflight
that this site never answers. The body is bounded by its Content-Length
before any of it is read, and decoded by infra.safejson (depth bound, no NUL
or lone surrogate), so nothing behind the views ever sees such text. (Under
ASGI, Django has received the body into a temporary file before any view
runs; the bound keeps it out of memory and out of the decoder. Limiting what
is received at all is the proxy's job, e.g. nginx's client_max_body_size.)
"""

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

from infra import safejson
from infra.errors import (
    CrossSite,
    FrameTooLarge,
    InvalidJSON,
    MethodNotAllowed,
    TooDeep,
    UnsupportedMediaType,
)
from infra.origin import is_same_origin, origin_of

# Larger than any form the widget sends; anything bigger is not a customer.
MAX_BODY_BYTES = 64 * 1024

# The frame wording of the chat errors does not fit a request.
HTTP_WORDING = {
    InvalidJSON.code: _("The request is not valid JSON."),
    FrameTooLarge.code: _("The request is too large."),
    TooDeep.code: _("The request is nested too deeply."),
}

# Sec-Fetch-Site values of a request that another site's page started.
FOREIGN_FETCH_SITES = {"cross-site", "same-site"}


def error_response(code, message, status=400, **extra):
    """``{"error": {"code", "message"}, ...extra}`` with a 4xx status (docs/api.md)."""
    return JsonResponse({"error": {"code": code, "message": str(message)}, **extra}, status=status)


def client_error_response(error, **extra):
    """The JSON answer for a ClientError, in the active language, worded for HTTP."""
    # A message given when the error was raised is specific; the class's may be worded for frames.
    message = error.__dict__.get("message") or HTTP_WORDING.get(error.code, error.message)
    response = error_response(error.code, message, error.http_status, **extra)
    if isinstance(error, MethodNotAllowed):
        response["Allow"] = ", ".join(error.allowed)
    return response


def check_caller(request):
    """Raise CrossSite unless the browser says the request comes from this site's own pages."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site.strip().lower() in FOREIGN_FETCH_SITES:
        raise CrossSite()
    if not is_same_origin(request.headers.get("Origin"), origin_of(request.scheme, request.get_host())):
        raise CrossSite()


def check_media_type(request):
    if request.content_type != "application/json":
        raise UnsupportedMediaType()


def read_json_object(request, *, max_bytes=MAX_BODY_BYTES):
    """
    The request's JSON object (an empty body is ``{}``). Raises FrameTooLarge
    (from the declared length, before reading, and from the bytes read),
    TooDeep, InvalidJSON (also for JSON that is not an object) or InvalidText.
    """
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > max_bytes:
        raise FrameTooLarge()
    # One byte more than allowed tells a body without a (true) length that is too large.
    raw = request.read(max_bytes + 1)
    if not raw.strip():
        return {}
    data = safejson.loads(raw, max_bytes=max_bytes)
    if not isinstance(data, dict):
        raise InvalidJSON()
    return data


def prepare(request, methods, *, body):
    """
    Check a JSON endpoint's request: its method (else MethodNotAllowed), and
    with ``body``, its caller, content type and body. Returns the view's extra
    arguments: ``(data,)`` with the checked JSON object, or ``()``.
    """
    if request.method not in methods:
        raise MethodNotAllowed(methods)
    if not body:
        return ()
    check_caller(request)
    check_media_type(request)
    return (read_json_object(request),)
