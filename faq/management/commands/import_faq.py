"""manage.py import_faq FILE: bring an existing FAQ in from JSON or CSV."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from faq.transfer import FaqImportError, detect_format, import_text


class Command(BaseCommand):
    help = (
        "Import FAQ entries from a JSON or CSV file (fields: language, category, question, answer, keywords, "
        "published). Entries are matched by language, category and question: importing again updates them. "
        "Nothing is saved when a row is invalid; every error names its row and field."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .json or .csv file")
        parser.add_argument("--format", choices=["json", "csv"], help="default: from the file name")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: the file is not UTF-8 text.") from None
        try:
            created, updated = import_text(text, detect_format(path, options["format"]))
        except FaqImportError as error:
            raise CommandError(f"{path}: nothing imported.\n" + "\n".join(error.errors)) from None
        self.stdout.write(self.style.SUCCESS(f"{created} entries created, {updated} updated."))
