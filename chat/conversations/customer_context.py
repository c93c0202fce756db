"""
What the agent knows of the customer: where and with what the chat started
(the host page, the browser, the customer's time zone), and the customer's
earlier chats and requests by the same e-mail address.

The page, title and time zone come from the widget, the User-Agent from the
request header: all of it is context, none of it is trusted. A value that
does not pass is dropped, never an error, so that a chat always starts.
"""

import zoneinfo
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from ua_parser import parse as parse_user_agent

from chat.conversations.models import Chat
from requests_app.models import Request

# The model fields' lengths (chat.conversations.models.Chat).
MAX_URL_LENGTH = 2000
MAX_TITLE_LENGTH = 300
MAX_USER_AGENT_LENGTH = 512
MAX_TIME_ZONE_LENGTH = 64

# Enough to recognise a returning customer at a glance; the rest is in the history.
PREVIOUS_LIMIT = 10

# Only addresses a browser opens as a page: javascript:, data: and the like
# would run or show something else when the agent clicks the link.
PAGE_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class StartContext:
    page_url: str = ""
    page_title: str = ""
    user_agent: str = ""
    time_zone: str = ""


def clean_page_url(value):
    """An http(s) URL of at most MAX_URL_LENGTH characters with a host, else ""."""
    if not isinstance(value, str):
        return ""
    value = value.strip()
    if not value or len(value) > MAX_URL_LENGTH or any(ord(c) < 0x20 or c.isspace() for c in value):
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:  # an invalid IPv6 host, say
        return ""
    if parts.scheme.lower() not in PAGE_SCHEMES or not parts.hostname:
        return ""
    return value


def clean_page_title(value):
    if not isinstance(value, str):
        return ""
    return " ".join(value.split())[:MAX_TITLE_LENGTH]


def clean_time_zone(value):
    """An IANA zone name that zoneinfo knows, else ""."""
    if not isinstance(value, str) or not value or len(value) > MAX_TIME_ZONE_LENGTH:
        return ""
    return value if value in _known_zones() else ""


@lru_cache(maxsize=1)
def _known_zones():
    # Read once per process: available_timezones() walks the zone database.
    return frozenset(zoneinfo.available_timezones())


def clean_user_agent(value):
    if not isinstance(value, str):
        return ""
    # A header is Latin-1 at most; control characters have no business in it.
    return "".join(c for c in value if c.isprintable())[:MAX_USER_AGENT_LENGTH].strip()


def check_start_context(*, page_url=None, page_title=None, time_zone=None, user_agent=None):
    """What the widget and the request header said at the start, each value cleaned or dropped."""
    url = clean_page_url(page_url)
    return StartContext(
        page_url=url,
        # A title without its page says nothing the agent can check.
        page_title=clean_page_title(page_title) if url else "",
        user_agent=clean_user_agent(user_agent),
        time_zone=clean_time_zone(time_zone),
    )


@dataclass(frozen=True)
class Software:
    browser: str
    os: str


@lru_cache(maxsize=1024)
def describe_user_agent(user_agent):
    """Browser and operating system with their major versions ("Firefox 121", "Windows 10"); "" where unknown."""
    if not user_agent:
        return Software("", "")
    result = parse_user_agent(user_agent)
    return Software(_name(result.user_agent), _name(result.os))


def _name(part):
    if part is None or not part.family or part.family == "Other":
        return ""
    return f"{part.family} {part.major}" if part.major else part.family


def previous_chats(chat, channel_ids, limit=PREVIOUS_LIMIT):
    """The customer's other chats (same e-mail address) in the given channels, newest first."""
    return list(
        Chat.objects.select_related("channel")
        .filter(customer_email__iexact=chat.customer_email, channel_id__in=channel_ids)
        .exclude(pk=chat.pk)
        .order_by("-created_at")[:limit]
    )


def previous_requests(chat, channel_ids, limit=PREVIOUS_LIMIT):
    """The customer's requests (same e-mail address) in the given channels, newest first."""
    return list(
        Request.objects.filter(customer_email__iexact=chat.customer_email, channel_id__in=channel_ids).order_by(
            "-created_at"
        )[:limit]
    )


def customer_payload(chat, channel_ids):
    """
    The ``customer`` frame: the chat's start context and the customer's other
    chats and requests in ``channel_ids`` (the agent's channels: another
    channel's history stays out of sight). Shaped here rather than in
    payloads, beside the reads it belongs to; nothing else sends it.
    """
    software = describe_user_agent(chat.user_agent)
    return {
        "chat_id": chat.pk,
        "page_url": chat.page_url,
        "page_title": chat.page_title,
        "browser": software.browser,
        "os": software.os,
        "time_zone": chat.customer_time_zone,
        # When the customer ticked the channel's consent checkbox (None: not asked).
        "consent_at": chat.consent_at.isoformat() if chat.consent_at else None,
        "previous_chats": [
            {
                "id": other.pk,
                "created_at": other.created_at.isoformat(),
                "channel": other.channel.name,
                "status": other.status,
                "status_label": str(other.get_status_display()),
                "rating": other.rating,
            }
            for other in previous_chats(chat, channel_ids)
        ],
        "requests": [
            {
                "number": request.number,
                "status": request.status,
                "status_label": str(request.get_status_display()),
                "created_at": request.created_at.isoformat(),
                "chat_id": request.chat_id,
            }
            for request in previous_requests(chat, channel_ids)
        ],
    }
