"""ASGI entry point: HTTP through Django, websockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
django_asgi_app = get_asgi_application()

from chat.routing import websocket_urlpatterns  # noqa: E402  (needs the app registry)
from helpdesk.ws_language import LanguageMiddleware  # noqa: E402
from infra.origin import SameOriginValidator  # noqa: E402

# Channels' routers, without a frame or a scope copy per socket for its lifetime (infra.realtime.routing).
from infra.realtime.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameOriginValidator(LanguageMiddleware(URLRouter(websocket_urlpatterns))),
    }
)
