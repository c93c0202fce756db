"""Settings come from the environment; production refuses to start without its secrets."""

import json
import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
# Variables of the surrounding environment that would change what the settings read.
PROJECT_VARIABLES = ("DJANGO_", "DATABASE_", "REDIS_", "EMAIL_", "HELPDESK_", "ANYMAIL", "DEFAULT_FROM_EMAIL")
PRODUCTION = {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "chat.example.com"}


def run_python(args, env):
    """Run this interpreter in the project with only ``env`` of the project's variables; (exit code, stdout, stderr)."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith(PROJECT_VARIABLES)}
    result = subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_DIR,
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "helpdesk.settings"},
        capture_output=True,
        text=True,
    )
    return result.returncode, result.stdout, result.stderr


def load_settings(**env):
    """
    Import the settings in a fresh interpreter with only ``env`` set; returns
    (exit code, what was printed), or on failure (exit code, all output).
    """
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'], settings.CHANNEL_LAYERS['default']['BACKEND'], settings.EMAIL_BACKEND)"
    )
    code, printed, logged = run_python(["-c", script], env)
    return code, printed if code == 0 else printed + logged


def setting_values(names, **env):
    """The values of the settings ``names`` with only ``env`` set."""
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {list(names)!r}}}))"
    )
    code, printed, logged = run_python(["-c", script], env)
    assert code == 0, printed + logged
    return json.loads(printed)


def readme_production_environment():
    """
    The variables of the README's production example, each "…" filled with
    50+ random characters (the secret key, the passwords).
    """
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    statement = re.search(r"^export DJANGO_DEBUG=false.*?[^\\]$", readme, re.MULTILINE | re.DOTALL).group(0)
    words = shlex.split(statement.replace("\\\n", " "))[1:]
    return {
        name: value.replace("…", secrets.token_urlsafe(50)) for name, value in (word.split("=", 1) for word in words)
    }


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
    assert output.split()[:2] == ["django.db.backends.postgresql", "infra.realtime.layer.RedisPubSubLayer"]


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


def test_production_without_an_email_backend_stops_with_a_clear_message():
    code, output = load_settings(**PRODUCTION)
    assert code != 0
    assert "ImproperlyConfigured: Set EMAIL_BACKEND" in output


def test_production_accepts_any_email_backend_the_operator_names_even_the_console():
    code, output = load_settings(**PRODUCTION, EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
    assert code == 0, output
    assert output.split()[-1] == "django.core.mail.backends.console.EmailBackend"


def test_the_readmes_production_environment_passes_the_deployment_checks_without_a_warning():
    environment = readme_production_environment()
    assert environment["DJANGO_BEHIND_HTTPS_PROXY"] == "true" and "EMAIL_BACKEND" in environment
    assert len(environment["DJANGO_SECRET_KEY"]) >= 50

    code, printed, logged = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], environment)
    output = printed + logged

    assert code == 0, output
    assert "WARNING" not in output and "System check identified some issues" not in output, output
    assert "System check identified no issues (0 silenced)." in output


SECURITY_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_PROXY_SSL_HEADER",
]


def test_behind_the_https_proxy_hsts_and_the_https_redirect_are_on_by_default():
    values = setting_values(SECURITY_SETTINGS, **PRODUCTION, EMAIL_BACKEND="x", DJANGO_BEHIND_HTTPS_PROXY="true")
    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


def test_without_the_https_proxy_production_has_no_hsts_no_redirect_and_no_secure_cookies():
    values = setting_values(SECURITY_SETTINGS, **PRODUCTION, EMAIL_BACKEND="x", DJANGO_BEHIND_HTTPS_PROXY="false")
    assert values == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_each_https_setting_can_be_changed_on_its_own():
    values = setting_values(
        SECURITY_SETTINGS[:4],
        **PRODUCTION,
        EMAIL_BACKEND="x",
        DJANGO_BEHIND_HTTPS_PROXY="true",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SECURE_HSTS_SECONDS="3600",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        DJANGO_SECURE_HSTS_PRELOAD="false",
    )
    assert values == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 3600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
    }


def test_only_the_tests_hash_passwords_fast():
    """The fast hasher of tests/support/settings.py never reaches the production settings."""
    from django.conf import settings

    production = setting_values(["PASSWORD_HASHERS"], **PRODUCTION, EMAIL_BACKEND="x")["PASSWORD_HASHERS"]
    assert production[0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    assert "django.contrib.auth.hashers.MD5PasswordHasher" not in production
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
