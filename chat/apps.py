from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = _("Live chat")

    def ready(self):
        from chat.conversations import access, attachments, request_events  # noqa: F401  (signal receivers)

        access.connect_user_signals()

        from chat.conversations import housekeeping
        from chat.privacy import retention

        # About once an hour in every process (retention.Schedule).
        housekeeping.add_step(retention.run_if_due)
