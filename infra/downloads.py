"""
Handing a stored file to a browser that may not trust it: streamed from the
storage without holding it in memory, never sniffed, never kept by a shared
cache, and shown in the page only when the caller says it is safe to show
(re-encoded images). Knows nothing of chats: the caller has decided who may
have the file.
"""

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

from infra.realtime.db import run

# Large enough to keep the number of storage reads small, small enough that a
# hundred parallel downloads hold little memory.
CHUNK_BYTES = 64 * 1024

# A file opened directly (a link, a new tab) runs nothing and loads nothing.
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


async def _chunks(file):
    """The file's bytes, read on the database/IO thread pool so the event loop never blocks on the storage."""
    try:
        while True:
            chunk = await run(file.read, CHUNK_BYTES)
            if not chunk:
                return
            yield chunk
    finally:
        await run(file.close)


def file_response(file, *, name, content_type, size, inline=False):
    """
    A streaming answer with ``file`` (opened for reading; closed when the
    answer is done). ``inline`` only for content the server made itself.
    """
    if content_type.startswith("text/"):
        content_type = f"{content_type}; charset=utf-8"
    response = StreamingHttpResponse(_chunks(file), content_type=content_type)
    response["Content-Length"] = str(size)
    response["Content-Disposition"] = content_disposition_header(not inline, name)
    response["X-Content-Type-Options"] = "nosniff"
    # The file belongs to one chat's people: no shared cache keeps it, and no browser cache either.
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Referrer-Policy"] = "no-referrer"
    return response
