"""
JSON from outside (websocket frames, request bodies, imported files), checked
once where it enters: size and nesting depth are bounded before it is decoded,
and no text in it may hold a NUL or an unpaired UTF-16 surrogate.

Why here and not in each field's validation: a surrogate (the JSON text
"\\ud800") decodes to a Python string that cannot be encoded as UTF-8, so it
fails far from where it came in (inside a batch of other people's messages,
in the database driver, in a template), and PostgreSQL refuses NUL in text
columns. Checked at the edge, such input gets one clear error and reaches
nothing. The standard library's decoder is used as it is; what it lacks is a
depth bound (deep nesting ends in RecursionError) and the text check, which
this module adds around it. orjson and ujson were compared: they refuse lone
surrogates but not NUL, have their own depth limits that cannot be set, and
would be one more compiled dependency for the same checks.
"""

import json
import re

from infra.errors import FrameTooLarge, InvalidJSON, InvalidText, TooDeep

# Deeper than anything the widget or the dashboard sends (they send two or
# three levels), far below the recursion limit of the decoder and the walk.
MAX_DEPTH = 20

# NUL and the surrogate range: what PostgreSQL or UTF-8 refuses.
_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def has_forbidden_text(text):
    """True when ``text`` (a str) holds a NUL or an unpaired surrogate."""
    return _FORBIDDEN.search(text) is not None


def forbidden_text_in(value):
    """True when any string in ``value`` (decoded JSON: dicts, lists, str, numbers) holds NUL or a surrogate."""
    if isinstance(value, str):
        return has_forbidden_text(value)
    if isinstance(value, dict):
        return any(has_forbidden_text(k) or forbidden_text_in(v) for k, v in value.items())
    if isinstance(value, list):
        return any(forbidden_text_in(item) for item in value)
    return False


def _nesting_depth(text):
    """The deepest nesting of arrays and objects, outside of strings."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


# Made once: json.loads with any option builds a new decoder on every call.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def loads(raw, *, max_bytes, max_depth=MAX_DEPTH):
    """
    Decode ``raw`` (str, or bytes as UTF-8) as JSON. Raises FrameTooLarge,
    TooDeep, InvalidJSON or InvalidText (ClientErrors: a code and a translated
    message); an InvalidText carries what was decoded in ``decoded``, so that
    an error frame can name the message it refuses.
    """
    if isinstance(raw, (bytes, bytearray, memoryview)):
        if len(raw) > max_bytes:
            raise FrameTooLarge()
        try:
            text = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidText() from None
    else:
        text = raw
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError:  # a str that already holds a lone surrogate
            raise InvalidText() from None
        if size > max_bytes:
            raise FrameTooLarge()
    # Counting brackets is cheap; only a text with many looks at the nesting.
    if text.count("[") + text.count("{") > max_depth and _nesting_depth(text) > max_depth:
        raise TooDeep()
    try:
        value = _DECODER.decode(text)
    except (ValueError, RecursionError):
        raise InvalidJSON() from None
    # A NUL or a surrogate can come out of the decoder only through a \u escape.
    if "\\u" in text and forbidden_text_in(value):
        raise InvalidText(decoded=value)
    return value
