"""JSON from outside is bounded and checked once, where it comes in (infra.safejson)."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra import safejson
from infra.errors import FrameTooLarge, InvalidJSON, InvalidText, TooDeep


def test_ordinary_json_decodes():
    assert safejson.loads('{"type": "send", "body": "Grüße 😀 {[\\"x\\"]}"}', max_bytes=1000) == {
        "type": "send",
        "body": 'Grüße 😀 {["x"]}',
    }


def test_an_escaped_surrogate_pair_is_one_character_and_allowed():
    assert safejson.loads('"\\ud83d\\ude00"', max_bytes=100) == "😀"


@pytest.mark.parametrize("text", ['"\\ud800"', '"a\\udfffb"', '"\\u0000"', '{"\\ud800": 1}', '[["ok", "\\u0000"]]'])
def test_a_nul_or_a_lone_surrogate_anywhere_is_refused(text):
    with pytest.raises(InvalidText):
        safejson.loads(text, max_bytes=100)


def test_the_refusal_carries_what_was_decoded_so_the_error_can_name_the_message():
    with pytest.raises(InvalidText) as refused:
        safejson.loads('{"type": "send", "client_id": "c-1", "body": "\\ud800"}', max_bytes=100)
    assert refused.value.decoded["client_id"] == "c-1"


def test_an_escaped_backslash_before_u0000_is_plain_text():
    assert safejson.loads('"\\\\u0000"', max_bytes=100) == "\\u0000"


def test_bytes_that_are_not_utf8_are_refused():
    with pytest.raises(InvalidText):
        safejson.loads(b'"\xff"', max_bytes=100)
    with pytest.raises(InvalidText):
        safejson.loads(b'"\xed\xa0\x80"', max_bytes=100)  # a surrogate encoded as UTF-8


def test_a_str_holding_a_surrogate_is_refused():
    with pytest.raises(InvalidText):
        safejson.loads('"\ud800"', max_bytes=100)


def test_size_is_bounded_in_bytes_before_decoding():
    with pytest.raises(FrameTooLarge):
        safejson.loads('"' + "ü" * 60 + '"', max_bytes=100)
    with pytest.raises(FrameTooLarge):
        safejson.loads(b"[" * 101, max_bytes=100)


@pytest.mark.parametrize("depth", [21, 5000, 100_000])
def test_deep_nesting_is_refused_before_decoding(depth):
    with pytest.raises(TooDeep):
        safejson.loads("[" * depth + "]" * depth, max_bytes=10**6)
    with pytest.raises(TooDeep):
        safejson.loads('{"a":' * depth + "1" + "}" * depth, max_bytes=10**7)


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = json.dumps({"body": "[" * 500 + "{" * 500})
    assert safejson.loads(text, max_bytes=10**4)["body"].startswith("[[")


def test_nesting_up_to_the_limit_decodes():
    assert safejson.loads("[" * 20 + "]" * 20, max_bytes=100) is not None


@pytest.mark.parametrize("text", ["{", "NaN", '{"a": Infinity}', "-Infinity", "", "[1,]", "1" * 5000])
def test_what_is_not_json_is_refused(text):
    with pytest.raises(InvalidJSON):
        safejson.loads(text, max_bytes=10**4)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=20,
    )
)
def test_any_json_value_decodes_or_is_refused_with_a_chat_error(value):
    text = json.dumps(value)
    try:
        decoded = safejson.loads(text, max_bytes=10**6)
    except (InvalidText, TooDeep):
        assert safejson.forbidden_text_in(value) or text.count("[") + text.count("{") > safejson.MAX_DEPTH
    else:
        assert decoded == value
        assert not safejson.forbidden_text_in(decoded)
