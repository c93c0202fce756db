"""
Reading the FAQ: which entries a channel suggests for a question, in the
customer's language (an entry has one; a channel offers its categories'
entries in each language it speaks, its own by default).

Each server process keeps the search index of a channel in memory. Every
question first reads a version stamp of the channel's entries (one cheap
aggregate query); when the stamp differs from the cached index's, the index
is rebuilt. So an entry saved in the admin is used by the next question in
every process, with no message between processes.
"""

import threading
from collections import OrderedDict

from django.db.models import Count, Max

from faq import semantic
from faq.engine import Document, Index
from faq.models import Entry, phrasing_lines
from faq.sanitize import answer_text

# Indexes of this many channels are kept; the least recently used goes first.
MAX_CACHED_CHANNELS = 64

_cache = OrderedDict()  # (channel id, language) -> (stamp, Index, semantic.EntryVectors)
_lock = threading.Lock()


def clear_index_cache():
    with _lock:
        _cache.clear()


def channel_entries(channel, language=None):
    """The channel's FAQ entries in ``language`` (its own by default), published or not, through its categories."""
    return Entry.objects.filter(category__channel_links__channel=channel, language=language or channel.language)


def index_stamp(channel, language=None):
    """
    Changes whenever the channel's index would: an entry added, deleted, edited
    (updated_at), published or unpublished (a save), or a category linked to
    or unlinked from the channel (the entry count, or the newest link's id).
    """
    language = language or channel.language
    values = channel_entries(channel, language).aggregate(
        count=Count("id"),
        changed=Max("updated_at"),
        link=Max("category__channel_links__id"),
    )
    return (language, values["count"], values["changed"], values["link"])


def channel_index(channel, language=None):
    """The search index of the channel's entries in ``language`` (its own by default), rebuilt when they changed."""
    return _channel_indexes(channel, language)[0]


def _channel_indexes(channel, language=None):
    """(Index, semantic.EntryVectors) of the channel's entries in ``language``, rebuilt when they changed."""
    language = language or channel.language
    key = (channel.pk, language)
    stamp = index_stamp(channel, language)
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == stamp:
            _cache.move_to_end(key)
            return cached[1], cached[2]
    documents = [
        Document(
            id=row["id"],
            question=row["question"],
            keywords=row["keywords"],
            answer=answer_text(row["answer"]),
            order=row["order"],
            phrasings=tuple(phrasing_lines(row["phrasings"])),
        )
        for row in channel_entries(channel, language)
        .filter(published=True)
        .order_by("id")
        .values("id", "question", "keywords", "answer", "order", "phrasings")
    ]
    index = Index(documents, language)
    vectors = semantic.EntryVectors(index.documents, semantic.concept_texts(index))
    with _lock:
        _cache[key] = (stamp, index, vectors)
        _cache.move_to_end(key)
        while len(_cache) > MAX_CACHED_CHANNELS:
            _cache.popitem(last=False)
    return index, vectors


def suggest(channel, question, *, limit=None, language=None):
    """
    [(Entry, score)] best first, for the channel's FAQ in ``language`` (the
    customer's); the channel's own language when it has no entries in that
    one; empty when nothing is relevant enough. The lexical engine's matches,
    completed by the semantic model where it is installed (faq.semantic).
    """
    limit = limit or channel.faq_max_suggestions
    index, vectors = _channel_indexes(channel, language)
    if not index.documents and language and language != channel.language:
        index, vectors = _channel_indexes(channel)
    matches = semantic.rank(index, vectors, question, limit)
    if not matches:
        return []
    entries = Entry.objects.in_bulk([match.id for match in matches])
    return [(entries[match.id], match.score) for match in matches if match.id in entries]


def access_channel_entry(channel, entry_id):
    """The published entry if the channel suggests it (in any language it has entries in), else None."""
    return Entry.objects.filter(category__channel_links__channel=channel, pk=entry_id, published=True).first()
