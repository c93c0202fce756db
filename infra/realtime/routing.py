"""
The websocket routing of helpdesk.asgi: by scope type, then by path, as
Channels' ProtocolTypeRouter and URLRouter route, without what they keep
alive per socket for as long as it is open.

Channels' routers are coroutines that await the application (a frame each
per socket), and URLRouter hands on a copy of the scope with the route added
(docs/performance.md, idle sockets). These return the application's coroutine
and add the route to the scope they were given: the server builds a scope per
connection and never reads it again, and nothing before them keeps it. The
scope keys are Channels' (``url_route`` with ``args`` and ``kwargs``,
``path_remaining``), and a failure still happens inside the application's
coroutine, where Daphne turns it into an HTTP 500 of the handshake.
"""

from django.urls.exceptions import Resolver404


class ProtocolTypeRouter:
    """Channels' ProtocolTypeRouter: the application of the scope's type."""

    # An ASGI 3 application although __call__ is no coroutine function (asgiref would take it for ASGI 2).
    _asgi_single_callable = True

    def __init__(self, application_mapping):
        self.application_mapping = application_mapping

    def __call__(self, scope, receive, send):
        application = self.application_mapping.get(scope["type"])
        if application is None:
            return _fail(ValueError(f"No application configured for scope type {scope['type']!r}"))
        return application(scope, receive, send)


class URLRouter:
    """
    Channels' URLRouter at the outermost level (no nesting, no include()):
    the first of Django's path()/re_path() ``routes`` matching the path after
    the scope's ``root_path``, with its arguments in ``scope["url_route"]``.
    """

    _asgi_single_callable = True

    def __init__(self, routes):
        self.routes = routes

    def __call__(self, scope, receive, send):
        path = scope.get("path")
        if path is None:
            return _fail(ValueError("No 'path' key in connection scope, cannot route URLs"))
        root_path = scope.get("root_path", "")
        if root_path and not path.startswith(root_path):
            return _fail(ValueError(f"No route found for path {path!r}."))
        path = path[len(root_path) :].lstrip("/")
        for route in self.routes:
            try:
                match = route.pattern.match(path)
            except Resolver404:
                continue
            if match:
                remaining, args, kwargs = match
                kwargs.update(route.default_args)
                scope["path_remaining"] = remaining
                scope["url_route"] = {"args": args, "kwargs": kwargs}
                return _start(route.callback, scope, receive, send)
        return _fail(ValueError(f"No route found for path {path!r}."))


def _start(application, scope, receive, send):
    """
    The application's coroutine. For a consumer's ``as_asgi()`` that is the
    consumer's own, made as as_asgi()'s wrapper makes it, without the
    wrapper's coroutine waiting on it for the socket's lifetime.
    """
    consumer_class = getattr(application, "consumer_class", None)
    if consumer_class is not None:
        return consumer_class(**application.consumer_initkwargs)(scope, receive, send)
    return application(scope, receive, send)


async def _fail(error):
    raise error
