"""``manage.py apply_retention [--now ISO]``: the channels' retention now (or as at another time), then what it did."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from chat.privacy.retention import apply_retention


def parse_now(value):
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            f"--now must be a date and time in ISO 8601, e.g. 2026-12-01T03:00:00+01:00: {error}"
        ) from error
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = "Remove the personal data that the channels' retention periods say is due."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="Apply retention as at this time (ISO 8601; default: now).")

    def handle(self, *args, now=None, **options):
        moment = parse_now(now) if now else timezone.now()
        report = apply_retention(moment)
        if not report.channels:
            self.stdout.write("No channel has a retention period.")
        for result in report.channels:
            removed = result.removed
            self.stdout.write(
                f"{result.channel.name} (ended or made before {result.cutoff.isoformat()}, "
                f"{result.channel.retention_action}): {removed.chats} chats, {removed.messages} messages, "
                f"{removed.notes} notes, {removed.files} files, {removed.requests} requests, {removed.emails} e-mails"
            )
