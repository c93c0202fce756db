"""Shared fixtures: small make_* helpers for channels, agents and chats, and the test DNS server."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from chat.configuration.models import Channel, ChannelMembership
from chat.conversations import presence, services
from chat.conversations.models import Chat, PresenceStatus
from tests.support.dnsserver import dns_server, use_test_dns  # noqa: F401  (fixtures)
from tests.support.smtpserver import smtp_server  # noqa: F401  (fixture)


@pytest.fixture
def make_channel(db):
    counter = iter(range(1, 10_000))

    def make(**fields):
        number = next(counter)
        fields.setdefault("name", f"Channel {number}")
        fields.setdefault("slug", f"channel-{number}")
        fields.setdefault("allowed_origins", "http://127.0.0.1:9999")
        return Channel.objects.create(**fields)

    return make


@pytest.fixture
def make_agent(db):
    counter = iter(range(1, 10_000))

    def make(*channels, present=True, first_name="", manager=False, username=None):
        number = next(counter)
        user = get_user_model().objects.create_user(
            username=username or f"agent{number}",
            password="agent-password-123",
            first_name=first_name or f"Agent{number}",
        )
        for channel in channels:
            ChannelMembership.objects.create(channel=channel, user=user, is_manager=manager)
        if present:
            presence.set_presence(user, status=PresenceStatus.PRESENT)
        return user

    return make


@pytest.fixture
def make_chat(db):
    def make(channel, *, name="Erika", email="erika@example.com", question="Where is my parcel?", form_data=None):
        chat, token = services.start_chat(
            channel, name=name, email=email, email_verified=True, form_data=form_data or [], question=question
        )
        # With its channel loaded, so that async tests can read chat.channel.
        return Chat.objects.select_related("channel").get(pk=chat.pk), token

    return make


@pytest.fixture(scope="session", autouse=True)
def database_sessions_ended_at_the_end(django_db_setup, django_db_blocker):
    """
    Threads of the session (the sockets' database pool, asgiref's) keep their
    connections open; PostgreSQL drops the test database only once they are gone.
    """
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit counts and cached DNS verdicts (the shared cache) of one test never reach the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def no_housekeeping_loop(settings):
    """Tests call the upkeep steps themselves; the loop runs only in real server processes."""
    settings.HELPDESK_HOUSEKEEPING = False


def pytest_collection_modifyitems(config, items):
    """
    Tests marked ``production`` need PostgreSQL and Redis (several server
    processes share them). Without REDIS_URL and DATABASE_URL they are
    deselected, not skipped: `make test-production` and .ci/run run them.
    """
    import os

    if os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    kept = [item for item in items if "production" not in item.keywords]
    deselected = [item for item in items if "production" in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture
def sent_events(monkeypatch):
    """Every (group, event) a service sends through chat.conversations.events, after commit."""
    sent = []
    monkeypatch.setattr("infra.realtime.broadcast._send_blocking", lambda group, event: sent.append((group, event)))
    monkeypatch.setattr("infra.realtime.broadcast.send_many_blocking", sent.extend)

    async def send_many_now(group_events):
        sent.extend(group_events)

    monkeypatch.setattr("infra.realtime.broadcast.send_many_now", send_many_now)
    return sent
