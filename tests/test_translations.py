"""Every string a customer or agent sees is translatable, and German is complete."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ["infra", "chat", "faq", "requests_app", "helpdesk", "templates", "locale"]


@pytest.fixture(scope="module")
def fresh_catalog(tmp_path_factory):
    """The German catalogue as makemessages builds it from today's code, next to the shipped translations."""
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext (Debian package gettext) is needed to check the translations; `make test` installs it")
    copy = tmp_path_factory.mktemp("source")
    for name in SOURCE_DIRS:
        shutil.copytree(PROJECT_DIR / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT_DIR / "manage.py", copy / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "de", "--no-obsolete", "--no-location"],
        cwd=copy,
        # The copy has the project's settings, not the tests' (tests/support/settings.py).
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "helpdesk.settings"},
        check=True,
        capture_output=True,
    )
    return polib.pofile(str(copy / "locale/de/LC_MESSAGES/django.po"))


def test_every_string_in_the_code_has_a_german_translation(fresh_catalog):
    missing = [entry.msgid for entry in fresh_catalog if not entry.translated()]
    assert missing == []


def test_no_german_translation_is_fuzzy(fresh_catalog):
    assert [entry.msgid for entry in fresh_catalog.fuzzy_entries()] == []


def test_the_compiled_catalogue_matches_the_translations():
    po = polib.pofile(str(PROJECT_DIR / "locale/de/LC_MESSAGES/django.po"))
    mo = polib.mofile(str(PROJECT_DIR / "locale/de/LC_MESSAGES/django.mo"))
    compiled = {(entry.msgctxt, entry.msgid): (entry.msgstr, entry.msgstr_plural) for entry in mo}
    for entry in po.translated_entries():
        assert compiled.get((entry.msgctxt, entry.msgid)) == (entry.msgstr, entry.msgstr_plural), entry.msgid


def test_german_is_used_for_a_german_channel():
    from django.utils import translation

    from chat.widget.strings import widget_strings

    with translation.override("de"):
        assert widget_strings()["send"] == "Senden"
