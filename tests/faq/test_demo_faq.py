"""The demo FAQ speaks to customers as the product does: "Sie" in German, throughout."""

import json
import re

from faq.transfer import DEMO_FILE

# The informal address: pronouns and the verb forms and imperatives that go with them.
INFORMAL = re.compile(
    r"\b(du|dich|dir|dein\w*|kannst|hast|bist|willst|musst|möchtest|schick|gib|prüfe|klicke|öffne|wähle|nenne|ruf)\b",
    re.IGNORECASE,
)


def test_the_german_demo_faq_says_sie_throughout():
    rows = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    german = [row for row in rows if row["language"] == "de"]
    assert german
    informal = {row["question"]: INFORMAL.findall(row["question"] + " " + row["answer"]) for row in german}
    assert {question: found for question, found in informal.items() if found} == {}
    assert sum("Sie " in row["answer"] or "Ihr" in row["answer"] for row in german) >= len(german) // 2
