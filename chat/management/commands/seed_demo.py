"""
Demo data for `make run`, so that the whole journey can be tried:

- Support (English): open around the clock, chats assigned automatically,
  FAQ suggestions, a post-chat form with a rating and the transcript by
  e-mail, a request form when nobody is present;
- Sales (English): no automatic assignment, so its queue is visible in the
  dashboard and each chat is taken by hand;
- Kundendienst (German): the same journey in German ("Sie"), German FAQ;
- two agents (Anna manages Support and Kundendienst) and an administrator,
  canned replies, and four weeks of past chats and presence for the
  statistics page (demo_statistics).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from chat.configuration.canned_replies import CannedReply
from chat.configuration.models import Channel, ChannelMembership, ChannelText, FieldType, PreChatField
from chat.management.demo_statistics import add_past_chats
from faq.transfer import load_demo_faq
from infra.languages import Language

DEMO_LOGINS = {
    "admin": ("admin", "admin-demo-password", "Ada", True),
    "agent": ("agent", "agent-demo-password", "Anna", False),
    "colleague": ("ben", "ben-demo-password", "Ben", False),
}

# Shared replies of the support channel, in English and German (the
# customer's language picks the variant), and one of Anna's own.
DEMO_CANNED_REPLIES = [
    ("greeting", "", "Greeting", "Hello {customer_first_name}, I'm {agent_name} from {channel}. How can I help?"),
    (
        "greeting",
        "de",
        "Begrüßung",
        "Hallo {customer_first_name}, ich bin {agent_name} vom {channel}. Wie kann ich helfen?",
    ),
    ("moment", "", "One moment", "One moment please, I'm looking into it."),
    ("thanks", "", "Thanks and goodbye", "Thank you for contacting us, {customer_first_name}. Have a nice day!"),
]


OLD_WELCOME = "Hello! Thanks for waiting. How can I help?"


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
                "welcome_message": "Hello! How can I help you?",
                "allowed_origins": "\n".join(origins),
                "assign_automatically": True,
                # Open around the clock; when no agent is present, customers
                # see the closed view and can leave a request.
                "request_enabled": True,
                "closed_message": "Sorry, nobody is available right now.",
                "postchat_enabled": True,
                "transcript_enabled": True,
            },
        )
        # The demo of earlier versions thanked every customer for waiting; the
        # welcome now adds that only after a real wait (chat.conversations.texts).
        Channel.objects.filter(pk=channel.pk, welcome_message=OLD_WELCOME).update(
            welcome_message="Hello! How can I help you?"
        )
        PreChatField.objects.get_or_create(
            channel=channel,
            key="customer_number",
            defaults={"label": "Customer number", "field_type": FieldType.TEXT, "required": False, "order": 1},
        )
        load_demo_faq(channel)
        sales, _created = Channel.objects.get_or_create(
            slug="sales",
            defaults={
                "name": "Sales",
                "language": Language.ENGLISH,
                "header_title": "Sales",
                "button_label": "Ask sales",
                "welcome_message": "Hello! What can I tell you about our products?",
                "allowed_origins": "\n".join(origins),
                # Taken by hand: the dashboard shows its queue.
                "assign_automatically": False,
                "request_enabled": True,
                "closed_message": "Sales is not available right now.",
            },
        )
        # Sales speaks German too: a browser that prefers German reads it in German.
        ChannelText.objects.get_or_create(
            channel=sales,
            language=Language.GERMAN,
            defaults={
                "header_title": "Vertrieb",
                "button_label": "Fragen Sie den Vertrieb",
                "welcome_message": "Guten Tag! Was möchten Sie über unsere Produkte wissen?",
                "closed_message": "Der Vertrieb ist gerade nicht erreichbar.",
            },
        )
        german, _created = Channel.objects.get_or_create(
            slug="kundendienst",
            defaults={
                "name": "Kundendienst",
                "language": Language.GERMAN,
                "header_title": "Kundenservice",
                "button_label": "Chatten Sie mit uns",
                "welcome_message": "Guten Tag! Wie kann ich Ihnen helfen?",
                "queue_message": "Einen Moment bitte, gleich ist jemand für Sie da.",
                "allowed_origins": "\n".join(origins),
                "assign_automatically": True,
                "request_enabled": True,
                "closed_message": "Leider ist gerade niemand erreichbar. Hinterlassen Sie uns gern eine Nachricht.",
                "postchat_enabled": True,
                "transcript_enabled": True,
            },
        )
        PreChatField.objects.get_or_create(
            channel=german,
            key="kundennummer",
            defaults={"label": "Kundennummer", "field_type": FieldType.TEXT, "required": False, "order": 1},
        )
        load_demo_faq(german)
        for shortcut, language, title, body in DEMO_CANNED_REPLIES:
            CannedReply.objects.get_or_create(
                channel=channel,
                owner=None,
                shortcut=shortcut,
                language=language,
                defaults={"title": title, "body": body},
            )
        User = get_user_model()
        for username, password, first_name, is_superuser in DEMO_LOGINS.values():
            user, created = User.objects.get_or_create(
                username=username, defaults={"first_name": first_name, "is_staff": True, "is_superuser": is_superuser}
            )
            if created:
                user.set_password(password)
                user.save()
            # Anna manages the support channel: its canned replies, the team's load, reassigning, listening in.
            manager = is_superuser or username == "agent"
            for managed in (channel, german):
                ChannelMembership.objects.get_or_create(
                    channel=managed, user=user, defaults={"is_manager": manager, "may_listen_in": manager}
                )
            if username in ("ben", "agent"):
                ChannelMembership.objects.get_or_create(channel=sales, user=user)
        anna = User.objects.get(username="agent")
        CannedReply.objects.get_or_create(
            owner=anna,
            channel=None,
            shortcut="bye",
            language="",
            defaults={"title": "My goodbye", "body": "Bye {customer_first_name}, take care! {agent_name}"},
        )
        add_past_chats(channel, [anna, User.objects.get(username="ben")])
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(
            "  Sample host page:  http://127.0.0.1:8000/   (Support; ?channel=sales, ?channel=kundendienst)"
        )
        self.stdout.write("  Agent dashboard:   http://127.0.0.1:8000/agent/   login agent / agent-demo-password")
        self.stdout.write("                     (a colleague to transfer to: ben / ben-demo-password)")
        self.stdout.write("  Statistics:        http://127.0.0.1:8000/agent/statistics/   (Anna manages Support)")
        self.stdout.write("  Django admin:      http://127.0.0.1:8000/admin/   login admin / admin-demo-password")
