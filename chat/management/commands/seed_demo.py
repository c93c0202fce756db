"""Demo data for `make run`: a channel open around the clock, an agent and an administrator."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from chat.configuration.models import Channel, ChannelMembership, FieldType, PreChatField
from faq.transfer import load_demo_faq
from infra.languages import Language

DEMO_LOGINS = {
    "admin": ("admin", "admin-demo-password", "Ada", True),
    "agent": ("agent", "agent-demo-password", "Anna", False),
}


class Command(BaseCommand):
    help = "Create the demo channel, an agent and an administrator (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--origin", action="append", default=[], help="An extra allowed origin for the channel.")

    @transaction.atomic
    def handle(self, *args, **options):
        origins = ["http://127.0.0.1:8000", "http://localhost:8000", *options["origin"]]
        channel, _created = Channel.objects.get_or_create(
            slug="support",
            defaults={
                "name": "Support",
                "language": Language.ENGLISH,
                "header_title": "Customer service",
                "button_label": "Chat with us",
                "welcome_message": "Hello! Thanks for waiting. How can I help?",
                "allowed_origins": "\n".join(origins),
                "assign_automatically": True,
                # Open around the clock; when no agent is present, customers
                # see the closed view and can leave a request.
                "request_enabled": True,
                "closed_message": "Sorry, nobody is available right now.",
            },
        )
        PreChatField.objects.get_or_create(
            channel=channel,
            key="customer_number",
            defaults={"label": "Customer number", "field_type": FieldType.TEXT, "required": False, "order": 1},
        )
        load_demo_faq(channel)
        User = get_user_model()
        for username, password, first_name, is_superuser in DEMO_LOGINS.values():
            user, created = User.objects.get_or_create(
                username=username, defaults={"first_name": first_name, "is_staff": True, "is_superuser": is_superuser}
            )
            if created:
                user.set_password(password)
                user.save()
            ChannelMembership.objects.get_or_create(channel=channel, user=user, defaults={"is_manager": is_superuser})
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write("  Sample host page:  http://127.0.0.1:8000/")
        self.stdout.write("  Agent dashboard:   http://127.0.0.1:8000/agent/   login agent / agent-demo-password")
        self.stdout.write("  Django admin:      http://127.0.0.1:8000/admin/   login admin / admin-demo-password")
