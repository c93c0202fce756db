"""Websockets accept only the site's own origin: the widget iframe and the dashboard live there."""
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host


class SameOriginValidator:
    """
    Deny a websocket whose Origin is not the host it connected to, or whose
    host is not in ALLOWED_HOSTS. Host pages embed the widget in an iframe
    served from this site, so no foreign page ever opens these sockets itself.
    ALLOWED_HOSTS is read per connection, as Django's own host check does.
    """

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        origin = headers.get(b"origin", b"").decode("latin-1")
        host = headers.get(b"host", b"").decode("latin-1").lower()
        domain, _port = split_domain_port(host)
        same_origin = bool(origin) and urlsplit(origin).netloc.lower() == host
        allowed_hosts = settings.ALLOWED_HOSTS
        if settings.DEBUG and not allowed_hosts:
            allowed_hosts = [".localhost", "127.0.0.1", "[::1]"]
        if not (same_origin and domain and validate_host(domain, allowed_hosts)):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
