"""
The channel's texts in the customer's language. A channel speaks its own
language and each language it has texts for (ChannelText); a customer whose
browser prefers one of those reads the channel in it. Each text is the one
given for that language, else the channel's own, where a default still
standing ("Chat with us") is read as that default in the customer's language.
An empty result means the caller's translated standard text.
"""

from django.utils.functional import Promise

from chat.configuration.models import TEXT_FIELDS, Channel, ChannelText, default_in
from infra.languages import Language


def channel_languages(channel):
    """The languages the channel speaks: its own first, then those it has texts in."""
    others = channel.texts.exclude(language=channel.language).values_list("language", flat=True)
    return [channel.language, *others]


def pick_language(channel, preferred):
    """
    The first of ``preferred`` (language tags, the customer's favourite first,
    e.g. ["de-AT", "en"]) that the channel speaks, else the channel's own.
    Only the primary subtag counts: "de-AT" reads German. The channel's own
    language costs no query.
    """
    spoken = None
    for tag in preferred:
        language = tag.split("-")[0].lower()
        if language == channel.language:
            return language
        if language not in Language.values:
            continue
        if spoken is None:
            spoken = channel_languages(channel)
        if language in spoken:
            return language
    return channel.language


def channel_texts(channel, language):
    """
    ``{field: text}`` for every field of TEXT_FIELDS as a customer reading
    ``language`` sees it; "" where the caller's translated default applies.
    Kept on the channel object for its lifetime (one request, one chat's
    read), so asking for several texts costs at most one query.
    """
    cache = channel.__dict__.setdefault("_texts_by_language", {})
    if language not in cache:
        given = None
        if language != channel.language:
            given = ChannelText.objects.filter(channel=channel, language=language).first()
        cache[language] = {
            name: (getattr(given, name).strip() if given is not None else "") or _own_text(channel, name, language)
            for name in TEXT_FIELDS
        }
    return cache[language]


def _own_text(channel, name, language):
    value = getattr(channel, name).strip()
    default = Channel._meta.get_field(name).default
    if isinstance(default, Promise) and value in {default_in(default, code) for code in Language.values}:
        return default_in(default, language)
    return value
