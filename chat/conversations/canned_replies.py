"""
Canned replies in a chat and their upkeep by agents (the admin keeps them too).

Who may do what:
- in a chat they have taken, an agent uses the channel's shared replies and
  their own personal ones;
- a personal reply is changed only by its owner, a shared one only by a
  manager of its channel (``ChannelMembership.is_manager``) or in the admin.

A reply the agent may not see is answered as if it did not exist.
"""

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from chat.configuration.canned_replies import CannedReply
from chat.configuration.models import Channel
from chat.conversations import selectors
from chat.conversations.agents import display_name
from chat.conversations.errors import ChatError, NotYourChat
from chat.conversations.log import MAX_MESSAGE_LENGTH
from chat.conversations.texts import customer_language
from infra.languages import Language

# The model's own limits, so that an oversized field is refused with a clear
# message instead of failing in the database (PostgreSQL enforces lengths).
MAX_SHORTCUT_LENGTH = CannedReply._meta.get_field("shortcut").max_length
MAX_TITLE_LENGTH = CannedReply._meta.get_field("title").max_length
# A filled-in reply is sent as one message, so its text may not be longer.
MAX_BODY_LENGTH = min(CannedReply._meta.get_field("body").max_length, MAX_MESSAGE_LENGTH)
# A slug, as the model's SlugField: what the composer can match after "/".
SHORTCUT_PATTERN = re.compile(r"^[-\w]+$", re.ASCII)

# Only these names are filled in; any other text in braces stays as it is,
# so that a reply may quote braces and user text never meets str.format.
PLACEHOLDER = re.compile(r"\{(customer_first_name|customer_name|agent_name|channel)\}")


class CannedReplyError(ChatError):
    """A reply refused; ``field`` names the form field at fault, for the dashboard's dialog."""

    field = ""


class ReplyNotFound(CannedReplyError):
    code = "canned_not_found"
    message = _("This canned reply does not exist, or it is not yours.")
    http_status = 404


class NotAManager(CannedReplyError):
    code = "canned_not_manager"
    message = _("Only a manager of the channel may change its shared canned replies.")
    http_status = 403
    field = "channel"


class DuplicateShortcut(CannedReplyError):
    code = "canned_duplicate"
    message = _("A canned reply with this shortcut and language already exists.")
    http_status = 409
    field = "shortcut"


class InvalidShortcut(CannedReplyError):
    code = "canned_shortcut"
    message = _("The shortcut may contain only letters a–z, digits, hyphens and underscores (at most 40).")
    field = "shortcut"


class TitleTooLong(CannedReplyError):
    code = "canned_title_too_long"
    message = _("The title is too long (at most 100 characters).")
    field = "title"


class EmptyReply(CannedReplyError):
    code = "canned_empty"
    message = _("The text of the canned reply is empty.")
    field = "body"


class ReplyTooLong(CannedReplyError):
    code = "canned_too_long"
    message = _("The text of the canned reply is too long (at most 4000 characters).")
    field = "body"


class UnknownLanguage(CannedReplyError):
    code = "canned_language"
    message = _("This language is not offered.")
    field = "language"


# Reading ----------------------------------------------------------------------


def usable_q(agent, channel_id):
    """The replies ``agent`` may use in a chat of ``channel_id``: the channel's shared ones and their own."""
    return Q(channel_id=channel_id, owner__isnull=True) | Q(owner=agent, channel__isnull=True)


def pick_variants(replies, language):
    """
    One reply per shortcut: the variant in ``language``, else the one for
    every language; a shortcut with neither is left out. Where the agent's
    own reply and the channel's have the same shortcut and fit equally, the
    agent's own wins: it is the one they set up for themselves.
    """
    best = {}
    for reply in replies:
        if reply.language not in (language, ""):
            continue
        rank = (reply.language == language, reply.is_personal)
        if reply.shortcut not in best or rank > best[reply.shortcut][0]:
            best[reply.shortcut] = (rank, reply)
    return [reply for _rank, reply in sorted(best.values(), key=lambda item: item[1].shortcut)]


def fill_placeholders(text, *, chat, agent):
    """The text with the known placeholders filled in; anything else in braces is left alone."""
    name = chat.customer_name.strip()
    values = {
        "customer_name": name,
        "customer_first_name": name.split()[0] if name else "",
        "agent_name": display_name(agent),
        "channel": chat.channel.name,
    }
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


@dataclass(frozen=True)
class ReplyInChat:
    reply: CannedReply
    text: str


def access_own_chat(agent, chat_id):
    """
    A chat the agent has taken (open or ended), in a channel they still
    belong to. Replies are for writing to one's own customers: a chat in the
    queue or another agent's looks like no chat at all.
    """
    chat = selectors.access_chat_for_agent(agent, chat_id)
    if chat.agent_id != agent.pk:
        raise NotYourChat()
    return chat


def access_replies_for_chat(agent, chat_id):
    """The replies the agent may use in their chat, one per shortcut, filled in."""
    chat = access_own_chat(agent, chat_id)
    replies = CannedReply.objects.filter(usable_q(agent, chat.channel_id))
    chosen = pick_variants(replies, customer_language(chat))
    return chat, [ReplyInChat(reply, fill_placeholders(reply.body, chat=chat, agent=agent)) for reply in chosen]


def managed_channels(agent):
    """The channels whose shared replies the agent keeps: those they manage."""
    return list(Channel.objects.filter(memberships__user=agent, memberships__is_manager=True).order_by("name", "pk"))


def manageable_q(agent):
    return Q(owner=agent, channel__isnull=True) | Q(
        channel__memberships__user=agent, channel__memberships__is_manager=True, owner__isnull=True
    )


def manageable_replies(agent):
    """The agent's own replies and the shared ones of the channels they manage."""
    return list(
        CannedReply.objects.filter(manageable_q(agent))
        .select_related("channel")
        .distinct()
        .order_by(F("channel__name").asc(nulls_first=True), "shortcut", "language")
    )


def access_manageable_reply(agent, reply_id):
    reply = CannedReply.objects.filter(manageable_q(agent), pk=reply_id).distinct().first()
    if reply is None:
        raise ReplyNotFound()
    return reply


# Writing ----------------------------------------------------------------------


def count_use(agent, *, chat_id, reply_id):
    """A use of a reply in a chat, counted once its text was sent; one the agent may not use there is refused."""
    chat = access_own_chat(agent, chat_id)
    counted = (
        CannedReply.objects.filter(usable_q(agent, chat.channel_id), pk=reply_id)
        .filter(Q(language__in=(customer_language(chat), "")))
        .update(usage_count=F("usage_count") + 1)
    )
    if not counted:
        raise ReplyNotFound()


def clean_fields(*, shortcut, title, body, language):
    """The fields as they are stored, or the first error. Expects strings (the caller checks types)."""
    shortcut = shortcut.strip().removeprefix("/").lower()
    if not shortcut or len(shortcut) > MAX_SHORTCUT_LENGTH or not SHORTCUT_PATTERN.match(shortcut):
        raise InvalidShortcut()
    title = " ".join(title.split()) or shortcut
    if len(title) > MAX_TITLE_LENGTH:
        raise TitleTooLong()
    if not body.strip():
        raise EmptyReply()
    if len(body) > MAX_BODY_LENGTH:
        raise ReplyTooLong()
    if language not in ("", *Language.values):
        raise UnknownLanguage()
    return {"shortcut": shortcut, "title": title, "body": body, "language": language}


def check_scope(agent, channel_id):
    """Where a reply may be kept: the agent's own (no channel) or a channel they manage."""
    if channel_id is None:
        return {"owner": agent, "channel": None}
    channel = Channel.objects.filter(pk=channel_id, memberships__user=agent, memberships__is_manager=True).first()
    if channel is None:
        raise NotAManager()
    return {"owner": None, "channel": channel}


def check_save_reply(agent, *, reply_id=None, channel_id=None, shortcut, title, body, language):
    """Create (``reply_id`` None) or change a reply the agent may keep, after the checks above."""
    fields = clean_fields(shortcut=shortcut, title=title, body=body, language=language)
    scope = check_scope(agent, channel_id)
    reply = CannedReply() if reply_id is None else access_manageable_reply(agent, reply_id)
    for name, value in {**fields, **scope}.items():
        setattr(reply, name, value)
    others = CannedReply.objects.filter(shortcut=reply.shortcut, language=reply.language).exclude(pk=reply.pk)
    if others.filter(owner=reply.owner, channel=reply.channel).exists():
        raise DuplicateShortcut()
    try:
        # The unique constraints decide a race between two saves.
        with transaction.atomic():
            reply.save()
    except IntegrityError:
        raise DuplicateShortcut() from None
    return reply


def check_delete_reply(agent, *, reply_id):
    access_manageable_reply(agent, reply_id).delete()
