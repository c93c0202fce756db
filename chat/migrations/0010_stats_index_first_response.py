"""
The statistics' index (chat.statistics.figures reads a period's chats from
it alone on PostgreSQL), and a backfill of Chat.first_response_at from the log: the time of the first answer
of an agent (a text, an FAQ entry or a file; not an event, and not the
channel's automatic welcome, which is posted without a client id), as
chat.conversations.log and group_commit now write it.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

ANSWER_KINDS = ("text", "faq", "file")


def backfill(apps, schema_editor):
    Channel = apps.get_model("chat", "Channel")
    Chat = apps.get_model("chat", "Chat")
    Message = apps.get_model("chat", "Message")
    for channel_id, welcome in Channel.objects.values_list("pk", "welcome_message"):
        answers = Message.objects.filter(chat_id=OuterRef("pk"), author="agent", kind__in=ANSWER_KINDS)
        if welcome.strip():
            answers = answers.exclude(client_id="", body=welcome.strip())
        first = answers.order_by("seq").values("created_at")[:1]
        Chat.objects.filter(channel_id=channel_id, first_response_at__isnull=True).update(
            first_response_at=Subquery(first)
        )


class Migration(migrations.Migration):
    dependencies = [("chat", "0009_listen_whisper")]

    operations = [
        migrations.AddIndex(
            model_name="chat",
            index=models.Index(
                fields=["channel", "created_at"],
                include=("queued_at", "accepted_at", "ended_at", "first_response_at", "agent", "rating", "end_reason"),
                name="chat_statistics_idx",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
