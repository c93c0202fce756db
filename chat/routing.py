from django.urls import path

from chat.consumers.agent import AgentConsumer
from chat.consumers.customer import CustomerConsumer

websocket_urlpatterns = [
    path("ws/chat/", CustomerConsumer.as_asgi()),
    path("ws/agent/", AgentConsumer.as_asgi()),
]
