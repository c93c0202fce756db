from django.urls import path

from chat.dashboard.consumer import AgentConsumer
from chat.widget.consumer import CustomerConsumer
from infra.realtime.session import WebsocketAuthStack

websocket_urlpatterns = [
    # The widget's socket knows its chat by the token in its first frame and
    # has no use for a session: without the auth stack, Channels' session
    # wrapper does not run on every frame it sends.
    path("ws/chat/", CustomerConsumer.as_asgi()),
    # The dashboard's socket is the logged-in agent's (session cookie), read
    # once at connect: no session wrapper on every frame either.
    path("ws/agent/", WebsocketAuthStack(AgentConsumer.as_asgi())),
]
