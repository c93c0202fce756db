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
before any of it is read, and decoded by chat.safejson (depth bound, no NUL
or lone surrogate), so nothing behind the views ever sees such text. (Under
ASGI, Django has received the body into a temporary file before any view
runs; the bound keeps it out of memory and out of the decoder. Limiting what
is received at all is the proxy's job, e.g. nginx's client_max_body_size.)
"""
import functools
import inspect

from asgiref.sync import sync_to_async
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from chat import safejson
from chat.errors import (
    ChatError,
    CrossSite,
    FrameTooLarge,
    InvalidJSON,
    MethodNotAllowed,
    TooDeep,
    UnsupportedMediaType,
)
from chat.models import Channel
from chat.origin import is_same_origin, origin_of

# Larger than any form the widget sends; anything bigger is not a customer.
MAX_BODY_BYTES = 64 * 1024

# The frame wording of chat.errors does not fit a request.
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


def chat_error_response(error, **extra):
    """The JSON answer for a ChatError, in the active language, worded for HTTP."""
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


def widget_endpoint(*methods, body=False):
    """
    A widget endpoint of the channel named by the URL's ``slug``: the view is
    called as ``view(request, channel, **kwargs)``, or with ``body=True`` as
    ``view(request, channel, data, **kwargs)`` with the checked JSON object,
    all inside the channel's language. Another method answers 405, a caller
    from another site 403 ``cross_site``, another content type 415, a bad body
    its own 4xx code (docs/api.md), each as JSON. Works for sync and async views.
    """

    def prepare(request):
        if request.method not in methods:
            raise MethodNotAllowed(methods)
        if not body:
            return ()
        check_caller(request)
        check_media_type(request)
        return (read_json_object(request),)

    def decorate(view):
        if inspect.iscoroutinefunction(view):

            async def endpoint(request, slug, **kwargs):
                channel = await sync_to_async(get_object_or_404)(Channel, slug=slug)
                with translation.override(channel.language):
                    try:
                        args = prepare(request)
                    except ChatError as error:
                        return chat_error_response(error)
                    return await view(request, channel, *args, **kwargs)

        else:

            def endpoint(request, slug, **kwargs):
                channel = get_object_or_404(Channel, slug=slug)
                with translation.override(channel.language):
                    try:
                        args = prepare(request)
                    except ChatError as error:
                        return chat_error_response(error)
                    return view(request, channel, *args, **kwargs)

        endpoint = functools.wraps(view)(endpoint)
        return csrf_exempt(endpoint) if body else endpoint

    return decorate
