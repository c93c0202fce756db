"""Settings come from the environment; production refuses to start without its secrets."""
import os
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def load_settings(**env):
    """Import the settings in a fresh interpreter with only ``env`` set; returns (exit code, output)."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    clean.update(env)
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'], settings.CHANNEL_LAYERS['default']['BACKEND'], settings.EMAIL_BACKEND)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "helpdesk.settings"},
        capture_output=True,
        text=True,
    )
    return result.returncode, result.stdout + result.stderr


def test_no_environment_gives_sqlite_the_in_memory_layer_and_console_mail():
    code, output = load_settings()
    assert code == 0, output
    assert output.split() == [
        "django.db.backends.sqlite3",
        "channels.layers.InMemoryChannelLayer",
        "django.core.mail.backends.console.EmailBackend",
    ]


def test_database_and_redis_urls_switch_to_the_production_stack():
    code, output = load_settings(DATABASE_URL="postgres://u@db:5432/helpdesk", REDIS_URL="redis://redis:6379/0")
    assert code == 0, output
    assert output.split()[:2] == ["django.db.backends.postgresql", "chat.layer.RedisPubSubLayer"]


def test_production_without_a_secret_key_stops_with_a_clear_message():
    code, output = load_settings(DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="chat.example.com")
    assert code != 0
    assert "Set DJANGO_SECRET_KEY" in output


def test_production_without_allowed_hosts_stops_with_a_clear_message():
    code, output = load_settings(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50)
    assert code != 0
    assert "Set DJANGO_ALLOWED_HOSTS" in output


def test_a_misspelt_boolean_is_refused():
    code, output = load_settings(DJANGO_DEBUG="maybe")
    assert code != 0
    assert "DJANGO_DEBUG must be true or false" in output
