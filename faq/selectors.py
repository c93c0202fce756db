"""
Reading the FAQ: which entries a channel suggests for a question.

Each server process keeps the search index of a channel in memory. Every
question first reads a version stamp of the channel's entries (one cheap
aggregate query); when the stamp differs from the cached index's, the index
is rebuilt. So an entry saved in the admin is used by the next question in
every process, with no message between processes.
"""

import threading
from collections import OrderedDict

from django.db.models import Count, Max

from faq.engine import Document, Index
from faq.models import Entry
from faq.sanitize import answer_text

# Indexes of this many channels are kept; the least recently used goes first.
MAX_CACHED_CHANNELS = 64

_cache = OrderedDict()  # channel id -> (stamp, Index)
_lock = threading.Lock()


def clear_index_cache():
    with _lock:
        _cache.clear()


def channel_entries(channel):
    """The channel's FAQ entries in its language (published or not), through its categories."""
    return Entry.objects.filter(category__channel_links__channel=channel, language=channel.language)


def index_stamp(channel):
    """
    Changes whenever the channel's index would: an entry added, deleted, edited
    (updated_at), published or unpublished (a save), or a category linked to
    or unlinked from the channel (the entry count, or the newest link's id).
    """
    values = channel_entries(channel).aggregate(
        count=Count("id"),
        changed=Max("updated_at"),
        link=Max("category__channel_links__id"),
    )
    return (channel.language, values["count"], values["changed"], values["link"])


def channel_index(channel):
    stamp = index_stamp(channel)
    with _lock:
        cached = _cache.get(channel.pk)
        if cached is not None and cached[0] == stamp:
            _cache.move_to_end(channel.pk)
            return cached[1]
    documents = [
        Document(
            id=row["id"],
            question=row["question"],
            keywords=row["keywords"],
            answer=answer_text(row["answer"]),
            order=row["order"],
        )
        for row in channel_entries(channel)
        .filter(published=True)
        .order_by("id")
        .values("id", "question", "keywords", "answer", "order")
    ]
    index = Index(documents, channel.language)
    with _lock:
        _cache[channel.pk] = (stamp, index)
        _cache.move_to_end(channel.pk)
        while len(_cache) > MAX_CACHED_CHANNELS:
            _cache.popitem(last=False)
    return index


def suggest(channel, question, *, limit=None):
    """[(Entry, score)] best first, for the channel's FAQ; empty when nothing is relevant enough."""
    limit = limit or channel.faq_max_suggestions
    matches = channel_index(channel).search(question, limit=limit)
    if not matches:
        return []
    entries = Entry.objects.in_bulk([match.id for match in matches])
    return [(entries[match.id], match.score) for match in matches if match.id in entries]


def access_channel_entry(channel, entry_id):
    """The published entry if the channel suggests it, else None."""
    return channel_entries(channel).filter(pk=entry_id, published=True).first()
