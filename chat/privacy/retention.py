"""
Retention: a channel with ``retention_days`` removes the personal data of
its chats that ended longer ago than that, and of its requests made longer
ago, by the channel's ``retention_action`` (chat.privacy.removal says what
goes). Run by the housekeeping loop about once an hour in every server
process, and by ``manage.py apply_retention``.

In batches of BATCH_SIZE rows per transaction, each batch's rows locked with
SKIP LOCKED: processes running at once take different rows and never wait
for each other. A processed row is marked (personal_data_removed_at), so a
second run, or a second process, finds nothing more to do. SQLite has no
row locks; it writes one transaction at a time, which is as safe.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from chat.configuration.models import Channel
from chat.conversations.models import Chat, ChatStatus
from chat.privacy import removal
from requests_app.models import Request

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# The housekeeping loop's schedule: the first run soon after the process
# starts (a process restarted every few minutes still runs it), then hourly.
FIRST_RUN_AFTER_SECONDS = 60
INTERVAL_SECONDS = 3600


@dataclass
class ChannelResult:
    channel: Channel
    cutoff: object
    removed: removal.Removed


@dataclass
class RetentionReport:
    channels: list = field(default_factory=list)

    @property
    def removed(self):
        total = removal.Removed()
        for result in self.channels:
            total += result.removed
        return total


def apply_retention(now=None, *, batch_size=BATCH_SIZE):
    """Remove what every channel's retention says is due at ``now``; returns what was removed, per channel."""
    now = now or timezone.now()
    report = RetentionReport()
    for channel in Channel.objects.filter(retention_days__isnull=False).order_by("pk"):
        cutoff = now - timedelta(days=channel.retention_days)
        removed = _expired_chats(channel, cutoff, now, batch_size) + _expired_requests(channel, cutoff, now, batch_size)
        report.channels.append(ChannelResult(channel=channel, cutoff=cutoff, removed=removed))
        if removed.total:
            logger.info(
                "Retention removed the personal data of %s chats and %s requests of channel %s",
                removed.chats,
                removed.requests,
                channel.pk,
            )
    return report


def _expired_chats(channel, cutoff, now, batch_size):
    removed = removal.Removed()
    while True:
        with transaction.atomic():
            ids = list(
                Chat.objects.select_for_update(skip_locked=True)
                .filter(
                    channel=channel,
                    status=ChatStatus.ENDED,
                    ended_at__lt=cutoff,
                    personal_data_removed_at__isnull=True,
                )
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return removed
            removed += removal.remove_from_chats(ids, action=channel.retention_action, now=now)


def _expired_requests(channel, cutoff, now, batch_size):
    """The channel's old requests, with or without a chat (one from the closed-hours form has none)."""
    removed = removal.Removed()
    while True:
        with transaction.atomic():
            ids = list(
                Request.objects.select_for_update(skip_locked=True)
                .filter(channel=channel, created_at__lt=cutoff, personal_data_removed_at__isnull=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return removed
            removed += removal.remove_from_requests(ids, action=channel.retention_action, now=now)


class Schedule:
    """When this process next runs retention (a monotonic clock; the housekeeping loop asks every round)."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.next_run = clock() + FIRST_RUN_AFTER_SECONDS

    def due(self):
        if self.clock() < self.next_run:
            return False
        self.next_run = self.clock() + INTERVAL_SECONDS
        return True


schedule = Schedule()


def run_if_due():
    """The housekeeping loop's step: retention, when this process's schedule says so."""
    if schedule.due():
        return apply_retention()
    return None
