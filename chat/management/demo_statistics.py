"""
Past chats for the demo (seed_demo): four weeks of the support channel's
chats with waits, answers, ratings and the agents' presence, so that the
statistics page has something to show after `make run`. A few hundred rows,
drawn from a fixed seed: the same demo every time.
"""

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from chat.conversations.models import Chat, ChatStatus, EndReason, Party, PresencePeriod

DEMO_DAYS = 28
# The demo's past customers: their e-mail domain marks their chats, so that a
# second seed_demo finds them and adds none.
DEMO_DOMAIN = "past.demo.example"
NAMES = ("Erika Mustermann", "Max Meier", "Lena Schmidt", "Jonas Weber", "Mia Fischer", "Paul Wagner", "Sofia Becker")
# Chats per hour of a working day (08:00 to 17:59): a morning and an early-afternoon peak.
HOURLY = (1, 3, 3, 2, 1, 2, 2, 1, 1, 0.5)


def add_past_chats(channel, agents, now=None):
    """Create the past chats and presence periods once; returns how many chats were made."""
    if Chat.objects.filter(channel=channel, customer_email__endswith="@" + DEMO_DOMAIN).exists():
        return 0
    now = now or timezone.now()
    rng = random.Random(2026)
    tz = ZoneInfo(channel.time_zone)
    today = now.astimezone(tz).date()
    made = 0
    for back in range(DEMO_DAYS, 0, -1):
        day = today - timedelta(days=back)
        weekend = day.weekday() >= 5
        for offset, rate in enumerate(HOURLY):
            for _n in range(_poisson(rng, rate * (0.3 if weekend else 1.0))):
                created = datetime.combine(day, time(8 + offset, rng.randrange(60)), tzinfo=tz)
                _past_chat(channel, rng.choice(agents), created, rng, number=made)
                made += 1
        if not weekend:
            for index, agent in enumerate(agents):
                began = datetime.combine(day, time(8 + index, rng.randrange(30)), tzinfo=tz)
                PresencePeriod.objects.create(agent=agent, started_at=began, ended_at=began + timedelta(hours=8))
    return made


def _poisson(rng, rate):
    """How many chats an hour brings (Knuth's method; rates are small)."""
    limit, count, product = 2.718281828459045**-rate, 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _past_chat(channel, agent, created, rng, *, number):
    name = rng.choice(NAMES)
    chat = Chat.objects.create(
        channel=channel,
        status=ChatStatus.ENDED,
        token_hash=Chat.new_token(),
        customer_name=name,
        customer_email=f"customer{number}@{DEMO_DOMAIN}",
        language=channel.language,
    )
    fate = rng.random()
    wait = timedelta(seconds=rng.randrange(5, 240))
    fields = {"created_at": created, "queued_at": created}
    if fate < 0.1:  # left the queue
        fields.update(ended_at=created + wait, ended_by=Party.SYSTEM, end_reason=EndReason.LEFT_QUEUE)
    else:
        accepted = created + wait
        fields.update(
            agent=agent,
            accepted_at=accepted,
            first_response_at=accepted + timedelta(seconds=rng.randrange(4, 60)),
            ended_at=accepted + timedelta(seconds=rng.randrange(120, 1500)),
            ended_by=Party.AGENT,
            end_reason=EndReason.ABANDONED if fate < 0.14 else EndReason.ENDED,
            rating=rng.choice((None, None, 3, 4, 4, 5, 5, 5, 2)) if fate >= 0.14 else None,
        )
    Chat.objects.filter(pk=chat.pk).update(**fields)
