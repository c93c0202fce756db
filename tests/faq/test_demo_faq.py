"""The demo FAQ speaks to customers as the product does: "Sie" in German, throughout."""

import json
import re

from faq.transfer import DEMO_FILE

# The informal address: pronouns and the verb forms and imperatives that go with them.
INFORMAL = re.compile(
    r"\b(du|dich|dir|dein\w*|kannst|hast|bist|willst|musst|möchtest|schick|gib|prüfe|klicke|öffne|wähle|nenne|ruf"
    r"|euch|euer|eur(?:e|em|en|er|es)|könnt|habt|seid|wollt|liefert ihr|bietet ihr|nehmt)\b",
    re.IGNORECASE,
)
# "Ihr" is the polite possessive ("Ihr Paket"); the informal plural "ihr" is written in lower case.
INFORMAL_IHR = re.compile(r"\bihr\b")


def informal_words(text):
    return INFORMAL.findall(text) + INFORMAL_IHR.findall(text)


def test_the_check_catches_the_informal_plural_and_lets_the_polite_form_pass():
    assert informal_words("Liefert ihr auch ins Ausland?")
    assert informal_words("Wie erreiche ich euch?")
    assert informal_words("Ist euer Versand kostenlos?")
    assert informal_words("Eure Rechnung kommt per E-Mail.")
    assert informal_words("Sie finden ihr Paket beim Nachbarn.")
    assert not informal_words(
        "Ihr Paket verlässt unser Lager. Liefern Sie auch ins Ausland? Wir schicken Ihnen einen Link."
    )


def test_the_german_demo_faq_says_sie_throughout():
    rows = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    german = [row for row in rows if row["language"] == "de"]
    assert german
    informal = {
        row["question"]: informal_words(" ".join([row["question"], row["keywords"], row["answer"]])) for row in german
    }
    assert {question: found for question, found in informal.items() if found} == {}
    assert sum("Sie " in row["answer"] or "Ihr" in row["answer"] for row in german) >= len(german) // 2
