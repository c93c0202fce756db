"""
A websocket's session and user from the session cookie, as Channels'
AuthMiddlewareStack puts them into the scope (``scope["session"]``,
``scope["user"]``), without Channels' wrapper around ``send``.

Channels' SessionMiddleware wraps ``send`` to save a modified session, which
it does only for an HTTP response (``http.response.start``), never for a
websocket message; on a socket the wrapper only asks the session on every
frame whether it was modified (3.5 % of the Daphne processes' samples at 400
chats, docs/performance.md). The session is read here as there, once, when
the socket connects; a socket never writes it.
"""

from channels.auth import AuthMiddleware
from channels.sessions import CookieMiddleware, InstanceSessionWrapper


class WebsocketSessionMiddleware:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        populated = InstanceSessionWrapper(scope, send)
        await populated.resolve_session()
        return await self.inner(populated.scope, receive, send)


def WebsocketAuthStack(inner):  # noqa: N802 (named as Channels' AuthMiddlewareStack, which it replaces)
    return CookieMiddleware(WebsocketSessionMiddleware(AuthMiddleware(inner)))
