"""The suggestion engine on its own: stemming, folding, typos, compounds, the minimum relevance, ranking."""

from faq.engine import Document, Index, fold, within_one_edit

GERMAN = [
    Document(1, "Wie funktionieren Rücksendungen?", "", "Du hast 30 Tage Zeit. Drucke das Etikett im Konto aus."),
    Document(2, "Was kostet der Versand?", "", "Der Versand kostet 4,95 Euro, ab 50 Euro ist er frei."),
    Document(3, "Wo finde ich meine Rechnung?", "", "Die Rechnung liegt als PDF in deinem Konto."),
    Document(4, "Wie kann ich meine Sendung verfolgen?", "", "Du bekommst eine Nummer per E-Mail."),
]
ENGLISH = [
    Document(11, "I forgot my password", "", "Click Forgot password on the sign-in page."),
    Document(12, "How long does delivery take?", "", "Delivery takes 1-3 working days."),
    Document(13, "Where is my card?", "", "Cards are sent within a week."),
    Document(14, "Which payment methods do you accept?", "", "Credit card, PayPal and invoice."),
]


def ids(index, question, **options):
    return [match.id for match in index.search(question, **options)]


def test_folding_removes_umlauts_and_accents():
    assert fold("Rücksendung") == "rucksendung"
    assert fold("Straße") == "strasse"
    assert fold("Crème brûlée") == "creme brulee"


def test_german_questions_meet_their_entry_with_or_without_umlauts_in_any_inflection():
    index = Index(GERMAN, "de")
    for question in ["Rücksendung", "rucksendung", "Ruecksendung", "zurückschicken", "Wie geht das Zurückschicken?"]:
        assert ids(index, question)[:1] == [1], question


def test_english_words_meet_their_stem():
    index = Index(ENGLISH, "en")
    assert ids(index, "passwords forgotten")[:1] == [11]
    assert ids(index, "when are deliveries made")[:1] == [12]


def test_a_typo_in_a_longer_word_is_forgiven():
    assert ids(Index(ENGLISH, "en"), "pasword")[:1] == [11]
    assert ids(Index(GERMAN, "de"), "Rechnnug")[:1] == [3]  # two letters swapped


def test_a_typo_in_a_short_word_is_not_guessed():
    # "cart" is one letter from "card", but four letters are too few to guess.
    assert ids(Index(ENGLISH, "en"), "cart") == []


def test_one_edit_means_one_insertion_deletion_substitution_or_swap():
    assert within_one_edit("password", "pasword")
    assert within_one_edit("password", "passwort")
    assert within_one_edit("password", "psasword")
    assert not within_one_edit("password", "psaswrod")


def test_an_unknown_german_compound_is_split_into_known_words():
    index = Index(GERMAN, "de")
    assert index.query_terms("Paketnummer").keys() >= {index.analyzer.term("paket"), index.analyzer.term("nummer")}
    assert ids(index, "Paketnummer")[:1] == [4]


def test_stop_words_alone_find_nothing():
    assert ids(Index(ENGLISH, "en"), "how can I do this, please?") == []
    assert ids(Index(GERMAN, "de"), "Hallo, wie kann ich das machen?") == []


def test_a_question_the_faq_does_not_cover_gets_no_suggestion():
    assert ids(Index(ENGLISH, "en"), "What is the weather like tomorrow in Hamburg?") == []
    assert ids(Index(GERMAN, "de"), "Verkauft ihr auch Fahrräder für Kinder?") == []


def test_the_minimum_relevance_is_what_keeps_weak_matches_out():
    index = Index(ENGLISH, "en")
    question = "my card got stolen on holiday in spain yesterday evening"
    assert ids(index, question) == []
    assert 13 in ids(index, question, min_coverage=0, min_relative_score=0)


def test_the_question_outweighs_the_answer():
    index = Index(
        [
            Document(1, "Gift wrapping", "", "Invoices are never included."),
            Document(2, "Where is my invoice?", "", "In your account."),
        ],
        "en",
    )
    assert ids(index, "invoice") == [2, 1]


def test_keywords_find_an_entry_whose_question_says_it_differently():
    index = Index(
        [
            Document(1, "Sending items back", "returns, retour", "Use the label."),
            Document(2, "Gift cards", "", "Buy them online."),
        ],
        "en",
    )
    assert ids(index, "retour")[:1] == [1]


def test_equal_scores_are_ordered_by_order_then_id_the_same_every_time():
    docs = [
        Document(5, "Voucher", "", "x", order=2),
        Document(3, "Voucher", "", "x", order=1),
        Document(4, "Voucher", "", "x", order=1),
    ]
    assert ids(Index(docs, "en"), "voucher") == [3, 4, 5]


def test_the_limit_caps_the_suggestions():
    docs = [Document(n, f"Voucher question {n}", "", "voucher") for n in range(1, 8)]
    assert len(ids(Index(docs, "en"), "voucher", limit=2)) == 2


def test_an_empty_index_finds_nothing():
    assert ids(Index([], "de"), "Rücksendung") == []
