"""
The websites the button endpoint refused for a channel, so that its
administrator sees which page tried to show the chat (and can allow it with
one click) instead of wondering why no button appears.

Anyone can send any Origin header, so what is kept is bounded: one row per
channel and origin, counted up in the database (an update, no read first),
only origins in the form browsers send them (or the literal ``null`` of a
file or sandboxed page) and at most KEEP_PER_CHANNEL rows per channel, the
least recently seen going first.
"""

from datetime import timedelta

from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.configuration.models import Channel
from infra.origin import normalize_origin

__all__ = ["RefusedOrigin"]

# Rows kept per channel; a new origin beyond these pushes out the oldest.
KEEP_PER_CHANNEL = 50
# What the admin lists: the newest rows seen within the last LIST_DAYS.
LIST_DAYS = 30
LIST_ROWS = 20
# Longer than any origin normalize_origin accepts (a 253-character host, a port).
MAX_ORIGIN_LENGTH = 300
# The Origin of a page opened from a file, or of a sandboxed frame: nothing to allow.
NULL_ORIGIN = "null"
# Named by the admin page and by the hint the loader writes in the host page's console.
LIST_LABEL = _("recently refused origins")
ALLOW_LABEL = _("Allow")


class RefusedOrigin(models.Model):
    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="refused_origins", verbose_name=_("channel")
    )
    origin = models.CharField(_("origin"), max_length=MAX_ORIGIN_LENGTH)
    count = models.PositiveBigIntegerField(_("times refused"), default=1)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("refused origin")
        verbose_name_plural = _("refused origins")
        constraints = [models.UniqueConstraint(fields=["channel", "origin"], name="chat_refused_origin_once")]
        indexes = [models.Index(fields=["channel", "-last_seen"], name="chat_refused_origin_recent")]

    def __str__(self):
        return self.origin

    @property
    def can_be_allowed(self):
        """Whether the origin may go into the channel's allowed origins (``null`` may not)."""
        return normalize_origin(self.origin) is not None


def recordable(header):
    """The Origin header as kept: normalised, ``null``, or None for anything else (not kept)."""
    if not isinstance(header, str) or not header or len(header) > MAX_ORIGIN_LENGTH:
        return None
    if header == NULL_ORIGIN:
        return NULL_ORIGIN
    return normalize_origin(header)


def record_refusal(channel, header, *, may_add=lambda: True):
    """
    Count one refusal of ``header`` (the request's Origin) for ``channel``. A
    known origin costs one UPDATE; a new one is added only when ``may_add()``
    (the caller's limit per client) says so, then the channel's rows are cut
    back to KEEP_PER_CHANNEL and to the listed days.
    """
    origin = recordable(header)
    if origin is None:
        return
    now = timezone.now()
    rows = RefusedOrigin.objects.filter(channel=channel, origin=origin)
    if rows.update(count=F("count") + 1, last_seen=now) or not may_add():
        return
    try:
        with transaction.atomic():
            RefusedOrigin.objects.create(channel=channel, origin=origin, first_seen=now, last_seen=now)
    except IntegrityError:
        # Another request added it between the update and the insert.
        rows.update(count=F("count") + 1, last_seen=now)
        return
    _prune(channel, now)


def _prune(channel, now):
    rows = RefusedOrigin.objects.filter(channel=channel)
    # Pruned after every insert, so at most a row or two lie past the cap.
    beyond = list(rows.order_by("-last_seen", "-id").values_list("id", flat=True)[KEEP_PER_CHANNEL:])
    rows.filter(Q(id__in=beyond) | Q(last_seen__lt=now - timedelta(days=LIST_DAYS))).delete()


def recent_refusals(channel):
    """What the channel's admin page lists: the newest first, within LIST_DAYS, at most LIST_ROWS."""
    since = timezone.now() - timedelta(days=LIST_DAYS)
    return list(
        RefusedOrigin.objects.filter(channel=channel, last_seen__gte=since).order_by("-last_seen", "-id")[:LIST_ROWS]
    )


def allow_origin(channel_id, origin):
    """
    Add ``origin`` to the channel's allowed origins and forget its refusals.
    Returns the channel and the origin as written, or raises ValueError for
    an origin that cannot be allowed. Locked, so that two administrators
    allowing at once both end up in the list.
    """
    normal = normalize_origin(origin)
    if normal is None:
        raise ValueError(origin)
    with transaction.atomic():
        channel = Channel.objects.select_for_update().get(pk=channel_id)
        if normal not in channel.allowed_origin_list:
            channel.allowed_origins = "\n".join(filter(None, [channel.allowed_origins.rstrip(), normal]))
            channel.save(update_fields=["allowed_origins"])
        RefusedOrigin.objects.filter(channel=channel, origin=normal).delete()
    return channel, normal
