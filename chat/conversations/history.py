"""
Past chats for the agents: searching them and reading one whole. Only chats
of the agent's channels are ever found (ChannelMembership, as the database
has it at the time of the request).

Message text is searched with PostgreSQL's full-text search, German and
English stemming together, through the expression that chat/migrations/
0007_search.py indexes (GIN): "Rechnungen" finds "Rechnung", "invoices"
finds "invoice". Other databases (SQLite in development and tests) get a
plain substring match.
"""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.conversations import postchat, selectors
from chat.conversations.customer_context import describe_user_agent
from chat.conversations.file_checks import format_size
from chat.conversations.models import Chat, ChatNote, Message, MessageKind, Party

# A search is a few words; anything longer is not a query a person typed.
MAX_QUERY_LENGTH = 200
PAGE_SIZE = 25

# The request IDs that requests_app hands out: R-<year>-<number>.
REQUEST_NUMBER = re.compile(r"^R-\d{4}-\d{1,10}$", re.IGNORECASE)
# A whole address is compared whole (an index); a part of one, by substring.
WHOLE_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Exactly the indexed expression (0007_search.py), or PostgreSQL cannot use the index.
SEARCH_VECTOR = "(to_tsvector('german'::regconfig, body) || to_tsvector('english'::regconfig, body))"
SEARCH_QUERY = "(websearch_to_tsquery('german'::regconfig, %s) || websearch_to_tsquery('english'::regconfig, %s))"


def clean_query(value):
    if not isinstance(value, str):
        return ""
    return " ".join(value.split())[:MAX_QUERY_LENGTH]


@dataclass(frozen=True)
class SearchPage:
    chats: list
    number: int
    has_previous: bool
    has_next: bool


def search_chats(agent, query, *, channel_id=None, date_from=None, date_to=None):
    """
    The agent's channels' chats matching ``query``, newest first (a queryset):
    a request ID finds the chat it was made from, a text with "@" the e-mail
    addresses that contain it, anything else customer names and message text.
    An empty query lists all. ``date_from``/``date_to`` are dates in the
    site's time zone, both included.
    """
    channel_ids = selectors.agent_channel_ids(agent)
    if channel_id is not None:
        channel_ids = [pk for pk in channel_ids if pk == channel_id]
    chats = Chat.objects.select_related("channel", "agent").filter(channel_id__in=channel_ids)
    if date_from is not None:
        chats = chats.filter(created_at__gte=_start_of(date_from))
    if date_to is not None:
        chats = chats.filter(created_at__lt=_start_of(date_to + timedelta(days=1)))
    query = clean_query(query)
    if REQUEST_NUMBER.match(query):
        chats = chats.filter(requests__number=query.upper())
    elif WHOLE_ADDRESS.match(query):
        chats = chats.filter(customer_email__iexact=query)
    elif "@" in query:
        chats = chats.filter(customer_email__icontains=query)
    elif query:
        # One list of ids from two indexes (names, messages) rather than an OR,
        # which PostgreSQL can only answer by reading every chat.
        by_name = Chat.objects.filter(customer_name__icontains=query).order_by().values("pk")
        chats = chats.filter(pk__in=by_name.union(_chats_with_text(query)))
    return chats.order_by("-created_at", "-pk")


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _chats_with_text(query):
    messages = Message.objects.filter(kind__in=(MessageKind.TEXT, MessageKind.FAQ))
    if connection.vendor == "postgresql":
        matches = RawSQL(f"{SEARCH_VECTOR} @@ {SEARCH_QUERY}", [query, query], output_field=BooleanField())
        return messages.filter(matches).order_by().values("chat_id")
    return messages.filter(body__icontains=query).order_by().values("chat_id")


def search_page(chats, number):
    """One page of a search; no total count, which would cost as much as the search again on a big history."""
    number = max(1, number)
    start = (number - 1) * PAGE_SIZE
    # The ids first, then the rows of this page: the ids alone come from a
    # narrow index (0007_search) rather than every matching chat's whole row.
    ids = list(chats.values_list("pk", flat=True)[start : start + PAGE_SIZE + 1])
    rows = chats.model.objects.select_related("channel", "agent").in_bulk(ids)
    found = [rows[pk] for pk in ids if pk in rows]
    return SearchPage(chats=found[:PAGE_SIZE], number=number, has_previous=number > 1, has_next=len(found) > PAGE_SIZE)


# One past chat --------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One line of a past chat: a message, an event or an internal note."""

    at: datetime
    kind: str  # "customer", "agent", "event", "faq" or "note"
    author: str
    text: str
    file: "HistoryFile | None" = None


# The largest thumbnail of an image in a past chat, in CSS pixels.
THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT = 240, 180


@dataclass(frozen=True)
class HistoryFile:
    """A file of a past chat as its page shows it (its message's params), with the thumbnail's size for images."""

    key: str
    name: str
    size_text: str
    is_image: bool
    thumb_width: int | None
    thumb_height: int | None

    @classmethod
    def from_params(cls, params):
        width, height = params.get("width"), params.get("height")
        thumb = (None, None)
        if params.get("is_image") and width and height:
            scale = min(1, THUMBNAIL_WIDTH / width, THUMBNAIL_HEIGHT / height)
            thumb = (max(1, round(width * scale)), max(1, round(height * scale)))
        return cls(
            key=params.get("key", ""),
            name=params.get("name", ""),
            size_text=str(format_size(params.get("size") or 0)),
            is_image=bool(params.get("is_image")),
            thumb_width=thumb[0],
            thumb_height=thumb[1],
        )


@dataclass(frozen=True)
class PastChat:
    chat: Chat
    entries: list
    browser: str
    os: str
    transcript: object  # the transcript's outbox entry, or None
    requests: list
    form_fields: list


def access_past_chat(agent, chat_id):
    """A chat of the agent's channels with everything the history shows; NotYourChat otherwise."""
    chat = selectors.access_chat_for_agent(agent, chat_id)
    software = describe_user_agent(chat.user_agent)
    return PastChat(
        chat=chat,
        entries=_entries(chat),
        browser=software.browser,
        os=software.os,
        transcript=postchat.transcript_email(chat),
        requests=list(chat.requests.order_by("created_at")),
        # The pre-chat form as prechat.validate_prechat stores it: a list of {key, label, value}.
        form_fields=[f for f in chat.form_data if isinstance(f, dict)] if isinstance(chat.form_data, list) else [],
    )


def _entries(chat):
    entries = [_message_entry(chat, message) for message in chat.messages.select_related("agent").order_by("seq")]
    entries += [
        Entry(at=note.created_at, kind="note", author=_agent_name(note.agent), text=note.body)
        for note in ChatNote.objects.filter(chat=chat).select_related("agent").order_by("created_at", "pk")
    ]
    # Stable: messages keep their order by seq, a note follows what it was written after.
    return sorted(entries, key=lambda entry: entry.at)


def _agent_name(user):
    if user is None:
        return ""
    return user.get_short_name() or user.get_username()


def _message_entry(chat, message):
    if message.kind == MessageKind.EVENT:
        return Entry(at=message.created_at, kind="event", author="", text=event_text(message))
    if message.kind == MessageKind.FAQ:
        question = (message.params or {}).get("question") or message.body
        text = _("FAQ entry: %(question)s") % {"question": question}
        return Entry(at=message.created_at, kind="faq", author=_agent_name(message.agent), text=text)
    file = HistoryFile.from_params(message.params or {}) if message.kind == MessageKind.FILE else None
    if message.author == Party.AGENT:
        return Entry(
            at=message.created_at, kind="agent", author=_agent_name(message.agent), text=message.body, file=file
        )
    return Entry(at=message.created_at, kind="customer", author=chat.customer_name, text=message.body, file=file)


def event_text(message):
    """An event of the log as the dashboard words it (chat/dashboard/strings.py has the same texts)."""
    params = message.params or {}
    agent = params.get("agent", "")
    if message.event == "joined":
        return _("%(agent)s joined the chat.") % {"agent": agent}
    if message.event == "ended":
        if params.get("by") == Party.CUSTOMER:
            return _("The customer ended the chat.")
        if params.get("by") == Party.AGENT:
            return _("%(agent)s ended the chat.") % {"agent": agent}
        return _("The chat ended: the customer was gone too long.")
    if message.event == "reopened":
        return _("The customer wrote again: the chat was reopened.")
    if message.event == "returned":
        return _("%(agent)s is no longer available: the chat went back to the queue.") % {"agent": agent}
    if message.event == "request_created":
        return _("Request %(request_id)s was created from this chat.") % {"request_id": params.get("request_id", "")}
    return message.event
