"""manage.py export_faq [FILE]: the FAQ as JSON or CSV, in the format import_faq reads."""

from pathlib import Path

from django.core.management.base import BaseCommand

from faq.models import Entry
from faq.transfer import detect_format, export_text


class Command(BaseCommand):
    help = "Export FAQ entries as JSON or CSV (the format import_faq reads). Without FILE: to standard output."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="a .json or .csv file; default: standard output")
        parser.add_argument("--format", choices=["json", "csv"], help="default: from the file name, else JSON")
        parser.add_argument("--language", help="only entries of this language, e.g. de")

    def handle(self, *args, **options):
        entries = Entry.objects.all()
        if options["language"]:
            entries = entries.filter(language=options["language"])
        fmt = options["format"] or (detect_format(options["file"]) if options["file"] else "json")
        text = export_text(fmt, entries)
        if options["file"]:
            Path(options["file"]).write_text(text, encoding="utf-8")
            self.stderr.write(f"{entries.count()} entries written to {options['file']}.")
        else:
            self.stdout.write(text, ending="")
