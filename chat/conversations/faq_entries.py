"""
FAQ entries in a chat: the agent searches the chat's channel's FAQ in the
customer's language and sends an entry, which becomes a message of kind
``faq`` in the chat's log (params: the entry's id and question; body: the
question). It goes through the one log path (log.append), so it has a seq
and the no-loss protocol covers it like any text.
"""

from django.db import transaction
from django.db.models import Q

from chat.conversations import events, log, rules
from chat.conversations.errors import ChatEnded, NotYourChat, UnknownFaqEntry
from chat.conversations.models import Chat, ChatStatus, Message, MessageKind, Party
from chat.conversations.texts import customer_language
from faq import selectors as faq_selectors
from faq.models import Entry
from faq.sanitize import answer_text

# The dashboard's list: enough to pick from, few enough to read at a glance.
MAX_RESULTS = 10
MAX_QUERY_LENGTH = 200


def chat_entries(chat):
    """The published FAQ entries the chat's channel offers, in the customer's language."""
    return Entry.objects.filter(
        category__channel_links__channel_id=chat.channel_id, language=customer_language(chat), published=True
    ).distinct()


def _index(chat):
    return faq_selectors.channel_index(chat.channel, customer_language(chat))  # cached per process and language


def search(chat, query, *, limit=MAX_RESULTS):
    """
    Entries for the agent's query, best first: the search engine's matches
    (stems, typos, synonyms), then entries whose question, keywords or other
    ways customers ask contain the text as typed (a word half written, the
    customer's own words copied). No query: the first entries.
    """
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    entries = chat_entries(chat)
    if not query:
        return list(entries.order_by("category__order", "order", "question")[:limit])
    # An agent searching wants an entry that mentions the word only in its
    # answer too; the customer's suggestions leave those out (faq.engine).
    ranked = [
        match.id for match in _index(chat).search(query, limit=limit, min_relative_score=0.0, require_named=False)
    ]
    by_id = entries.in_bulk(ranked)
    found = [by_id[entry_id] for entry_id in ranked if entry_id in by_id]
    if len(found) < limit:
        more = (
            entries.filter(Q(question__icontains=query) | Q(keywords__icontains=query) | Q(phrasings__icontains=query))
            .exclude(pk__in=[entry.pk for entry in found])
            .order_by("order", "question")[: limit - len(found)]
        )
        found.extend(more)
    return found


def send_entry(chat, *, agent, entry_id, client_id):
    """
    The chat's agent sends an FAQ entry of the chat's channel into the active
    chat. As services.post_message: a ``client_id`` stored before returns the
    earlier message (created=False), announced again; anyone but the chat's
    agent gets NotYourChat, an ended chat ChatEnded, an entry the channel
    does not offer (another channel's, unpublished, another language) UnknownFaqEntry.
    """
    with transaction.atomic():
        locked = (
            Chat.objects.select_for_update(of=("self",)).select_related("channel", "agent").filter(pk=chat.pk).first()
        )
        if locked is None or locked.agent_id != agent.pk:
            raise NotYourChat()
        earlier = Message.objects.filter(chat=locked, client_id=client_id).first()
        if earlier is not None:
            earlier.chat = locked
            events.notify_message(earlier)
            return earlier, False
        if not rules.may_post(locked, author=Party.AGENT, agent=agent):
            raise ChatEnded() if locked.status == ChatStatus.ENDED else NotYourChat()
        entry = chat_entries(locked).filter(pk=entry_id).first()
        if entry is None:
            raise UnknownFaqEntry()
        message = log.append(
            locked,
            author=Party.AGENT,
            agent=agent,
            kind=MessageKind.FAQ,
            body=entry.question,
            client_id=client_id,
            params={"entry_id": entry.pk, "question": entry.question},
        )
    return message, True


def sent_entry(chat, entry_id):
    """The entry an FAQ message of this chat names, if the chat's channel still offers it (the widget's answer)."""
    if not Message.objects.filter(chat=chat, kind=MessageKind.FAQ, params__entry_id=entry_id).exists():
        return None
    return chat_entries(chat).filter(pk=entry_id).first()


def entry_result(entry):
    """An entry in the dashboard's list: the question, and the answer as plain text for a preview."""
    return {"id": entry.pk, "question": entry.question, "answer_text": answer_text(entry.answer)[:300]}
