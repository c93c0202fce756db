from channels.auth import AuthMiddlewareStack
from django.urls import path

from chat.dashboard.consumer import AgentConsumer
from chat.widget.consumer import CustomerConsumer

websocket_urlpatterns = [
    # The widget's socket knows its chat by the token in its first frame and
    # has no use for a session: without the auth stack, Channels' session
    # wrapper does not run on every frame it sends.
    path("ws/chat/", CustomerConsumer.as_asgi()),
    # The dashboard's socket is the logged-in agent's (session cookie).
    path("ws/agent/", AuthMiddlewareStack(AgentConsumer.as_asgi())),
]
