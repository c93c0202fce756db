"""
The database of a benchmark that seeds its own data (bench.search,
bench.statistics): a PostgreSQL database of its own on this machine, the
production settings against it, migrated from scratch.
"""

import os
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def database_url(name):
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def use_bench_settings(name):
    """This process and its migrate run the production settings against the database ``name``."""
    os.environ.update(
        DATABASE_URL=database_url(name),
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-secret-key-bench-secret-key-0123456789",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        # Production settings insist on a backend; the bench sends nothing anywhere.
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DJANGO_SETTINGS_MODULE="helpdesk.settings",
    )
    os.environ.pop("REDIS_URL", None)


def fresh_database(name):
    """Drop and create the database ``name``, then migrate it."""
    import psycopg

    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=PROJECT_DIR, check=True)
