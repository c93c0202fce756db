"""Puts the browser's preferred language into a websocket's scope, as LocaleMiddleware does for HTTP."""

from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header


class LanguageMiddleware:
    # An ASGI 3 application although __call__ is no coroutine function (asgiref would take it for ASGI 2).
    _asgi_single_callable = True

    def __init__(self, application):
        self.application = application

    def __call__(self, scope, receive, send):
        # Returns the application's coroutine rather than awaiting it in one
        # of its own, which would stay alive as long as the socket; and adds
        # to the scope instead of handing on a copy, which would too. The
        # server makes a scope per connection and reads it no more, and
        # nothing before this keeps it (helpdesk.asgi).
        headers = dict(scope.get("headers", []))
        accept = headers.get(b"accept-language", b"").decode("latin-1")
        language = "en"
        for code, _quality in parse_accept_lang_header(accept):
            try:
                language = get_supported_language_variant(code)
                break
            except LookupError:
                continue
        scope["language"] = language
        return self.application(scope, receive, send)
