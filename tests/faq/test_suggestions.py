"""
Suggestions over the demo FAQ as a customer meets them: questions in their own
words find the entry a person who read the FAQ would point to, in English and
German; questions the FAQ does not answer get nothing.
"""

import json

import pytest

from faq.engine import Document, Index
from faq.sanitize import answer_text
from faq.transfer import DEMO_FILE

TOPICS = json.loads((DEMO_FILE.parent / "evaluation_topics.json").read_text(encoding="utf-8"))["topics"]


@pytest.fixture(scope="module")
def demo():
    rows = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    indexes = {}
    for language in ("en", "de"):
        documents = [
            Document(number, row["question"], row["keywords"], answer_text(row["answer"]))
            for number, row in enumerate(rows)
            if row["language"] == language
        ]
        indexes[language] = Index(documents, language)

    def suggest(language, question):
        return [rows[match.id]["question"] for match in indexes[language].search(question, limit=3)]

    return suggest


@pytest.mark.parametrize(
    ("language", "question", "topic"),
    [
        ("en", "the seam came open after three weeks", "damaged"),
        ("en", "sent it back two weeks ago and still no money", "refund-timing"),
        ("en", "the strap snapped on the second day", "damaged"),
        ("en", "my voucher code doesn't work", "voucher-not-working"),
        ("en", "can I pay on invoice after delivery", "pay-on-invoice"),
        ("en", "the courier never came", "parcel-missing"),
        ("de", "die Naht ist nach drei Wochen aufgegangen", "damaged"),
        ("de", "vor zwei Wochen zurückgeschickt und noch kein Geld", "refund-timing"),
        ("de", "der Riemen ist am zweiten Tag gerissen", "damaged"),
        ("de", "Wie schicke ich die Jacke zurück?", "return-item"),  # a separable verb
        ("de", "mein Geschenkkartencode wird nicht angenommen", "voucher-not-working"),  # a compound
        ("de", "Paket ist nie angekommen", "parcel-missing"),
        ("de", "wie ändere ich die Lieferadresse", "change-address"),  # "ändere" is not "andere"
        # The situations customers describe, in their words (none of these words is in the entries).
        ("de", "Mein Päckchen ist seit Tagen unauffindbar", "parcel-missing"),
        ("de", "Die Post hat mein Paket verschlampt", "parcel-missing"),
        ("de", "beim Auspacken war die Tasse schon zersplittert", "damaged"),
        ("de", "kann ich erst bezahlen, wenn ich die Sachen anprobiert habe", "pay-on-invoice"),
        ("de", "Der Rabattcode wird im Warenkorb nicht erkannt", "voucher-not-working"),
        ("en", "the zip on my bag is jammed", "damaged"),
        ("en", "the payment keeps failing at checkout", "payment-failed"),
        ("en", "I ordered the same thing twice by mistake, can you call one off", "cancel-order"),
        ("en", "what number can I ring to speak to someone", "phone-contact"),
        # Filler: who and where a customer talks about does not drown the topic.
        ("en", "my sister lives in Denmark, can you send stuff there", "international"),
        ("en", "my grandma threw the box away with the receipt in it", "find-invoice"),
        ("de", "Mein Opa hat den Beleg weggeworfen, wo bekomme ich einen neuen?", "find-invoice"),
        # A greeting is not a time of day ("Guten Tag" is no delivery time).
        ("de", "Guten Tag, wie ändere ich meine Lieferanschrift?", "change-address"),
        # A negation does not reach across a comma: "passt nicht, wie bekomme ich" is not "nicht bekommen".
        ("de", "Die Hose passt nicht, wie bekomme ich sie zurück zu euch?", "return-item"),
    ],
)
def test_a_question_in_the_customers_words_finds_the_entry(demo, language, question, topic):
    assert TOPICS[topic][language] in demo(language, question)


def test_a_typo_in_a_word_only_the_lexicon_knows_is_forgiven(demo):
    # No English entry says "refund" in its question; the lexicon does, and "refnud" is one swap away.
    assert TOPICS["refund-timing"]["en"] in demo("en", "when do I get my refnud")


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("en", "<script>alert('refund')</script>"),
        ("en", "{{ user.email }}"),
        ("en", "{% if order %}yes{% endif %}"),
        ("en", "SELECT * FROM orders; --"),
        ("en", "Do you have a loyalty programme?"),
        ("en", "can you wrap it as a gift"),
        ("en", "good morning, how are you"),
        ("en", "asdf qwer zxcv"),
        ("de", "<img src=x onerror=alert(1)>"),
        ("de", "${7*7}"),
        ("de", "Gibt es Treuepunkte?"),
        ("de", "Sucht ihr Mitarbeiter? Ich möchte mich bewerben"),
        ("de", "wo ist die nächste Filiale"),
        ("de", "erzähl mir einen Witz"),
        # Only a "when" or a "what thing", no topic: a farewell, a question about a product's age.
        ("de", "Danke, schönen Tag noch!"),
        ("en", "have a nice day"),
        ("en", "how old is the shop"),
        # "ein" is an article here, not the particle of "eingeben" (redeem).
        ("de", "Gib mir ein Rezept für Pfannkuchen"),
        # Shop topics this FAQ does not cover.
        ("de", "Gibt es eine Kundenkarte mit Punkten?"),
        ("en", "do you work with influencers"),
    ],
)
def test_a_question_the_faq_does_not_answer_gets_nothing(demo, language, question):
    assert demo(language, question) == []


def test_a_shop_topic_is_silent_only_because_the_faq_lacks_it():
    question = "Do you have a loyalty programme?"
    documents = [Document(1, "How do I return an item?", "", "Print the label.")]
    assert Index(documents, "en").search(question) == []
    documents.append(Document(2, "How do bonus points work?", "", "Every euro gives one point."))
    assert [match.id for match in Index(documents, "en").search(question)] == [2]
