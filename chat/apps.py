from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = _("Live chat")

    def ready(self):
        from chat.conversations import access

        access.connect_user_signals()
