"""import_faq and export_faq: JSON and CSV, errors that name the row and the field, all or nothing."""

import json

import pytest
from django.core.management import CommandError, call_command

from chat.configuration.models import Channel
from faq.models import Category, Entry
from faq.transfer import DEMO_FILE, FaqImportError, import_text, load_demo_faq
from infra.errors import InvalidText

ROWS = [
    {
        "language": "en",
        "category": "Returns",
        "question": "How do I return an item?",
        "answer": "<p>Label.</p>",
        "keywords": "send back",
        "phrasings": ["the jacket is too big, how do i get rid of it", "  ", "want to send the shoes back"],
        "published": True,
    },
    {
        "language": "de",
        "category": "Returns",
        "question": "Wie funktioniert die Rücksendung?",
        "answer": "Etikett",
        "keywords": ["Retoure", "zurückschicken"],
        "phrasings": "passt nicht, wie geht das zurück\nwo ist das Rücksendeetikett",
        "published": "false",
    },
]


def test_json_import_creates_categories_and_entries(db, tmp_path):
    path = tmp_path / "faq.json"
    path.write_text(json.dumps(ROWS), encoding="utf-8")
    call_command("import_faq", str(path))
    assert Category.objects.get().name == "Returns"
    german = Entry.objects.get(language="de")
    assert german.keywords == "Retoure, zurückschicken" and german.published is False
    assert german.phrasings == "passt nicht, wie geht das zurück\nwo ist das Rücksendeetikett"
    # A JSON list is one line per item; blank lines go.
    english = Entry.objects.get(language="en")
    assert english.phrasings == "the jacket is too big, how do i get rid of it\nwant to send the shoes back"


def test_importing_the_same_file_again_updates_instead_of_duplicating(db):
    import_text(json.dumps(ROWS), "json")
    changed = [dict(ROWS[0], answer="<p>New label.</p>")]
    assert import_text(json.dumps(changed), "json") == (0, 1)
    assert Entry.objects.count() == 2
    assert Entry.objects.get(language="en").answer == "<p>New label.</p>"


def test_csv_import_reads_a_header_line_and_sanitizes_answers(db):
    text = (
        "language,category,question,answer,keywords,published\n"
        'en,Payment,Can I pay by invoice?,"<p onclick=""x"">Yes<script>bad()</script></p>","invoice, later",yes\n'
    )
    assert import_text(text, "csv") == (1, 0)
    assert Entry.objects.get().answer == "<p>Yes</p>"


def test_csv_errors_name_the_row_as_a_spreadsheet_shows_it_and_the_field(db):
    text = (
        "language,category,question,answer,keywords,published\n"
        "en,Payment,Fine question?,Fine answer,,true\n"
        "fr,Payment,Question?,Answer,,true\n"
        "en,,Question?,,,maybe\n"
    )
    with pytest.raises(FaqImportError) as caught:
        import_text(text, "csv")
    errors = caught.value.errors
    assert any(e.startswith("Row 3, field language: fr is not a language") for e in errors)
    assert "Row 4, field category: This field is required." in errors
    assert "Row 4, field answer: This field is required." in errors
    assert "Row 4, field published: Write true or false, not maybe." in errors
    assert Entry.objects.count() == 0  # nothing saved, not even the valid row


def test_json_errors_name_the_entry_number_and_the_field(db):
    rows = [ROWS[0], {"language": "en", "category": "X", "question": "Q" * 301, "answer": "<script>x</script>"}]
    with pytest.raises(FaqImportError) as caught:
        import_text(json.dumps(rows), "json")
    assert "Row 2, field question: At most 300 characters, not 301." in caught.value.errors
    assert "Row 2, field answer: Nothing is left of the answer once unsafe HTML is removed." in caught.value.errors


def test_the_command_reports_every_error_and_imports_nothing(db, tmp_path):
    path = tmp_path / "faq.csv"
    path.write_text("language,category,question,answer\nxx,A,Q,A\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Row 2, field language"):
        call_command("import_faq", str(path))
    assert Entry.objects.count() == 0


def test_a_file_that_is_not_json_is_reported(db, tmp_path):
    path = tmp_path / "faq.json"
    path.write_text("{nope", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_faq", str(path))


def test_a_csv_without_required_columns_is_reported(db):
    with pytest.raises(FaqImportError, match="question"):
        import_text("language,category,answer\nen,A,B\n", "csv")


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_then_import_gives_the_same_faq(db, tmp_path, fmt):
    import_text(json.dumps(ROWS), "json")
    path = tmp_path / f"faq.{fmt}"
    call_command("export_faq", str(path))
    exported = path.read_text(encoding="utf-8")
    before = list(
        Entry.objects.values_list(
            "language", "category__name", "question", "answer", "keywords", "phrasings", "published"
        )
    )
    Entry.objects.all().delete()
    call_command("import_faq", str(path))
    after = list(
        Entry.objects.values_list(
            "language", "category__name", "question", "answer", "keywords", "phrasings", "published"
        )
    )
    assert sorted(before) == sorted(after)
    assert all(row[5] for row in after)  # the phrasings travelled too
    if fmt == "csv":
        assert exported.splitlines()[0] == "language,category,question,answer,keywords,phrasings,published"
    else:
        english = next(row for row in json.loads(exported) if row["language"] == "en")
        assert english["phrasings"] == ["the jacket is too big, how do i get rid of it", "want to send the shoes back"]


def test_too_many_or_too_long_phrasings_are_refused_by_row_and_field(db):
    rows = [
        {**ROWS[0], "phrasings": [f"question number {n}" for n in range(31)]},
        {**ROWS[1], "phrasings": "fine\n" + "x" * 301},
    ]
    with pytest.raises(FaqImportError) as raised:
        import_text(json.dumps(rows), "json")
    assert raised.value.errors == [
        "Row 1, field phrasings: At most 30 lines, not 31.",
        "Row 2, field phrasings: Each line at most 300 characters; this one has 301: " + "x" * 60 + "…",
    ]
    assert not Entry.objects.exists()


def test_the_demo_faq_has_twenty_entries_per_language_and_is_suggested_by_the_demo_channel(db):
    rows = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    assert sum(row["language"] == "en" for row in rows) >= 20
    assert sum(row["language"] == "de" for row in rows) >= 20
    call_command("seed_demo")
    channel = Channel.objects.get(slug="support")
    assert channel.faq_enabled and channel.faq_categories.count() == len({row["category"] for row in rows})
    assert load_demo_faq(channel) == 0  # a second run leaves the administrators' FAQ alone


BAD_TEXT = str(InvalidText.message)


def test_json_rows_with_a_nul_or_a_lone_surrogate_are_refused_by_row_and_field(db, tmp_path):
    rows = [dict(ROWS[0], answer="<p>Label.\u0000</p>"), dict(ROWS[1], question="Rücksendung \ud800?"), ROWS[0]]
    path = tmp_path / "faq.json"
    path.write_text(json.dumps(rows), encoding="utf-8")  # escaped as \u0000 and \ud800, as JSON allows

    with pytest.raises(CommandError) as caught:
        call_command("import_faq", str(path))

    report = str(caught.value)
    assert f"Row 1, field answer: {BAD_TEXT}" in report
    assert f"Row 2, field question: {BAD_TEXT}" in report
    assert "Row 3" not in report
    assert Entry.objects.count() == 0


def test_csv_rows_with_a_nul_are_refused_by_row_and_field(db, tmp_path):
    path = tmp_path / "faq.csv"
    path.write_text(
        "language,category,question,answer,keywords,published\n"
        "en,Payment,Fine question?,Fine answer,,true\n"
        "en,Pay\x00ment,Question?,Answer,,tr\x00ue\n",
        encoding="utf-8",
    )

    with pytest.raises(CommandError) as caught:
        call_command("import_faq", str(path))

    report = str(caught.value)
    assert f"Row 3, field category: {BAD_TEXT}" in report
    assert f"Row 3, field published: {BAD_TEXT}" in report
    assert "Write true or false" not in report
    assert Entry.objects.count() == 0


def test_a_json_file_nested_thousands_of_levels_deep_is_reported_not_a_crash(db):
    with pytest.raises(FaqImportError) as caught:
        import_text("[" * 5000 + "]" * 5000, "json")

    assert caught.value.errors == ["The file is nested too deeply to be a list of entries."]


def test_a_json_error_still_says_where(db):
    with pytest.raises(FaqImportError) as caught:
        import_text('[{"language": "en",}]', "json")

    assert caught.value.errors[0].startswith("The file is not valid JSON: Expecting property name")
    assert "line 1 column" in caught.value.errors[0]
