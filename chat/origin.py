"""Websockets accept only the site's own origin: the widget iframe and the dashboard live there."""
from urllib.parse import urlsplit

from channels.security.websocket import AllowedHostsOriginValidator, WebsocketDenier


class SameOriginValidator:
    """
    Deny a websocket whose Origin header is not the host it connected to.
    Host pages embed the widget in an iframe served from this site, so no
    foreign page ever needs to open these sockets itself.
    """

    def __init__(self, application):
        self.application = AllowedHostsOriginValidator(application)

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        origin = headers.get(b"origin", b"").decode("latin-1")
        host = headers.get(b"host", b"").decode("latin-1")
        if not origin or not host or urlsplit(origin).netloc.lower() != host.lower():
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
