"""FAQ answers keep links and simple formatting; nothing else gets through."""

import pytest

from faq.sanitize import answer_text, sanitize_answer


def test_simple_formatting_and_lists_are_kept():
    html = "<p>One <strong>two</strong> <em>three</em><br>four</p><ul><li>a</li></ul><ol><li>b</li></ol>"
    assert sanitize_answer(html) == html


def test_old_bold_and_italic_become_strong_and_em():
    assert sanitize_answer("<b>bold</b> <i>it</i>") == "<strong>bold</strong> <em>it</em>"


def test_a_link_gets_a_safe_target_and_rel_and_loses_other_attributes():
    html = sanitize_answer('<a href="https://example.com/x?a=1&b=2" onclick="evil()" style="x" class="y">shop</a>')
    assert html == (
        '<a href="https://example.com/x?a=1&amp;b=2" target="_blank" rel="noopener noreferrer nofollow">shop</a>'
    )


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,<b>x</b>",
        "/relative",
        "vbscript:x",
        "https:///nohost",
    ],
)
def test_links_to_anything_but_http_https_and_mailto_become_plain_text(href):
    assert sanitize_answer(f'<a href="{href}">click</a>') == "click"


def test_mailto_links_are_kept():
    assert 'href="mailto:service@example.com"' in sanitize_answer('<a href="mailto:service@example.com">mail</a>')


def test_scripts_styles_and_their_content_are_dropped_other_tags_become_text_only():
    html = '<p>Hi<script>alert(1)</script><style>p{}</style><img src=x onerror=alert(1)><div onmouseover="x">there</div></p>'
    assert sanitize_answer(html) == "<p>Hithere</p>"


def test_text_is_escaped_and_unclosed_tags_are_closed():
    assert sanitize_answer("<p><strong>1 < 2 & 3 > 2") == "<p><strong>1 &lt; 2 &amp; 3 &gt; 2</strong></p>"


def test_misnested_tags_come_out_well_nested():
    assert sanitize_answer("<strong><em>x</strong>y</em>") == "<strong><em>x</em></strong>y"


def test_entry_answers_are_sanitized_when_saved(make_channel, make_category, make_entry):
    entry = make_entry(make_category(), "Q", '<p onclick="x">A<script>bad()</script></p>')
    entry.refresh_from_db()
    assert entry.answer == "<p>A</p>"


def test_answer_text_is_the_plain_text_for_the_index():
    assert answer_text("<p>Free <strong>shipping</strong></p><ul><li>from €50</li></ul>") == "Free shipping from €50"
