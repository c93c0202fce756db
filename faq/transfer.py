"""
Import and export of FAQ entries as JSON or CSV, so that a support team can
bring its existing FAQ. Fields: language, category, question, answer,
keywords, phrasings (other ways customers ask: a list of lines in JSON, one
line each in a CSV cell), published. Every error names the row and the field; nothing is
saved unless every row is valid. Text with a NUL or an unpaired surrogate is
one of those errors (infra.safejson): the database could not store it.
"""

import csv
import io
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from faq.models import Category, ChannelCategory, Entry, phrasing_lines, validate_phrasings
from faq.sanitize import sanitize_answer
from infra import safejson
from infra.errors import FrameTooLarge, InvalidJSON, InvalidText, TooDeep
from infra.languages import Language

FIELDS = ["language", "category", "question", "answer", "keywords", "phrasings", "published"]
REQUIRED = ["language", "category", "question", "answer"]
TRUE_WORDS = {"1", "true", "yes", "y", "on", "ja", "x"}
FALSE_WORDS = {"0", "false", "no", "n", "off", "nein", ""}
# Far more than any FAQ (the demo's is 20 KB); the file is read whole.
MAX_FILE_BYTES = 50 * 1024 * 1024


class FaqImportError(Exception):
    """The file could not be imported; ``errors`` lists "row N, field: message" lines."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("\n".join(errors))


def detect_format(filename, explicit=None):
    if explicit:
        return explicit
    return "csv" if str(filename).lower().endswith(".csv") else "json"


def read_rows(text, fmt):
    """[(row number, dict)] from JSON (a list of objects) or CSV (a header line, then rows)."""
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        missing = [name for name in REQUIRED if name not in (reader.fieldnames or [])]
        if missing:
            raise FaqImportError(
                [_("The CSV header lacks the column(s): %(columns)s.") % {"columns": ", ".join(missing)}]
            )
        # Row 1 is the header line: data rows are numbered as a spreadsheet shows them.
        return [(number, row) for number, row in enumerate(reader, start=2)]
    try:
        data = safejson.loads(text, max_bytes=MAX_FILE_BYTES)
    except InvalidText as error:
        if error.decoded is None:
            raise FaqImportError([str(InvalidText.message)]) from None
        data = error.decoded  # validate_rows names the rows and fields that hold such text
    except InvalidJSON:
        raise FaqImportError([_("The file is not valid JSON: %(error)s") % {"error": _json_error(text)}]) from None
    except TooDeep:
        raise FaqImportError([_("The file is nested too deeply to be a list of entries.")]) from None
    except FrameTooLarge:
        raise FaqImportError(
            [_("The file is too large (at most %(size)d MB).") % {"size": MAX_FILE_BYTES // (1024 * 1024)}]
        ) from None
    if isinstance(data, dict) and isinstance(data.get("entries"), list):
        data = data["entries"]
    if not isinstance(data, list):
        raise FaqImportError([_("The JSON file must hold a list of entries.")])
    return list(enumerate(data, start=1))


def _json_error(text):
    """The decoder's own words on what is wrong (line and column), for the report."""

    def refuse(name):
        raise ValueError(f"{name} is not JSON")

    try:
        json.loads(text, parse_constant=refuse)
    except ValueError as error:
        return str(error)
    return ""


def _text(row, name, *, separator=", "):
    """A field's text; a JSON list is joined with ``separator`` (keywords: commas, phrasings: lines)."""
    value = row.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        return separator.join(str(item).strip() for item in value)
    return str(value).strip()


def _published(value):
    if isinstance(value, bool):
        return value
    if value is None:
        return True
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return None if word == "" else False
    raise ValueError


def validate_rows(rows):
    """Cleaned values per row, or FaqImportError with every problem, each naming its row and field."""
    errors = []
    cleaned = []
    languages = set(Language.values)
    limits = {field.name: field.max_length for field in Entry._meta.fields if field.max_length}
    limits["category"] = Category._meta.get_field("name").max_length

    def error(number, field, message):
        errors.append(
            _("Row %(row)s, field %(field)s: %(message)s") % {"row": number, "field": field, "message": message}
        )

    for number, row in rows:
        if not isinstance(row, dict):
            errors.append(_("Row %(row)s: an entry must be an object with named fields.") % {"row": number})
            continue
        values = {name: _text(row, name) for name in ["language", "category", "question", "answer", "keywords"]}
        values["phrasings"] = _text(row, "phrasings", separator="\n")
        published_text = row.get("published") if isinstance(row.get("published"), str) else ""
        forbidden = {
            name for name, text in [*values.items(), ("published", published_text)] if safejson.has_forbidden_text(text)
        }
        for name in sorted(forbidden, key=FIELDS.index):
            error(number, name, InvalidText.message)
            values[name] = ""
        for name in REQUIRED:
            if not values[name] and name not in forbidden:
                error(number, name, _("This field is required."))
        if values["language"] and values["language"] not in languages:
            error(
                number,
                "language",
                _("%(value)s is not a language of the helpdesk (%(choices)s).")
                % {"value": values["language"], "choices": ", ".join(sorted(languages))},
            )
        for name, limit in limits.items():
            if name in values and len(values[name]) > limit:
                error(
                    number,
                    name,
                    _("At most %(limit)d characters, not %(length)d.") % {"limit": limit, "length": len(values[name])},
                )
        if "phrasings" not in forbidden:
            try:
                validate_phrasings(values["phrasings"])
            except ValidationError as problem:
                error(number, "phrasings", " ".join(problem.messages))
        if values["answer"] and not sanitize_answer(values["answer"]):
            error(number, "answer", _("Nothing is left of the answer once unsafe HTML is removed."))
        try:
            published = True if "published" in forbidden else _published(row.get("published"))
        except ValueError:
            error(number, "published", _("Write true or false, not %(value)s.") % {"value": row.get("published")})
            published = True
        values["published"] = True if published is None else published
        cleaned.append(values)
    if errors:
        raise FaqImportError(errors)
    return cleaned


@transaction.atomic
def import_entries(rows):
    """
    Create or update entries from validated rows; (language, category,
    question) identifies an entry, so importing the same file twice changes
    nothing. Returns (created, updated).
    """
    created = updated = 0
    categories = {}
    for position, values in enumerate(validate_rows(rows)):
        name = values["category"]
        if name not in categories:
            categories[name], _new = Category.objects.get_or_create(name=name)
        category = categories[name]
        entry = Entry.objects.filter(
            category=category, language=values["language"], question=values["question"]
        ).first()
        if entry is None:
            Entry.objects.create(
                category=category,
                language=values["language"],
                question=values["question"],
                answer=values["answer"],
                keywords=values["keywords"],
                phrasings=values["phrasings"],
                published=values["published"],
                order=min(position, 32767),
            )
            created += 1
        else:
            entry.answer = values["answer"]
            entry.keywords = values["keywords"]
            entry.phrasings = values["phrasings"]
            entry.published = values["published"]
            entry.save(update_fields=["answer", "keywords", "phrasings", "published", "updated_at"])
            updated += 1
    return created, updated


def import_text(text, fmt):
    return import_entries(read_rows(text, fmt))


def export_rows(queryset=None):
    queryset = queryset if queryset is not None else Entry.objects.all()
    return [
        {
            "language": entry.language,
            "category": entry.category.name,
            "question": entry.question,
            "answer": entry.answer,
            "keywords": entry.keywords,
            "phrasings": phrasing_lines(entry.phrasings),
            "published": entry.published,
        }
        for entry in queryset.select_related("category").order_by(
            "language", "category__order", "category__name", "order", "id"
        )
    ]


def export_text(fmt, queryset=None):
    rows = export_rows(queryset)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {**row, "phrasings": "\n".join(row["phrasings"]), "published": "true" if row["published"] else "false"}
            )
        return out.getvalue()
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


DEMO_FILE = Path(__file__).resolve().parent / "demo" / "faq.json"


@transaction.atomic
def load_demo_faq(channel):
    """
    The demo web shop's FAQ (faq/demo/faq.json), suggested by the channel. Only
    for a channel without FAQ categories yet, so that an administrator's
    changes survive running seed_demo again. Returns the entries created.
    """
    if channel.faq_categories.exists():
        return 0
    rows = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    created, _updated = import_entries(list(enumerate(rows, start=1)))
    names = {row["category"] for row in rows}
    for category in Category.objects.filter(name__in=names):
        ChannelCategory.objects.get_or_create(channel=channel, category=category)
    channel.faq_enabled = True
    channel.save(update_fields=["faq_enabled"])
    return created
