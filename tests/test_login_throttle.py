"""
Brute force on the two login forms (/accounts/login/, /admin/login/) is
stopped by django-axes: per account and per client address, counted in the
database that every server process shares.
"""

import http.client
import re
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from tests.support.servers import DaphneProcess, server_environment

PASSWORD = "agent-password-123"
LIMIT = 5
LOGIN_PAGES = ["/accounts/login/", "/admin/login/"]


@pytest.fixture
def anna(db):
    # Staff, so that the admin's login lets her in as well.
    return get_user_model().objects.create_user("anna", password=PASSWORD, is_staff=True)


def attempt(client, path, username, password, address="127.0.0.1", language="en"):
    return client.post(
        path, {"username": username, "password": password}, REMOTE_ADDR=address, headers={"Accept-Language": language}
    )


def logged_in(client):
    return "_auth_user_id" in client.session


def cool_off_passes():
    """The failures were made longer ago than the cool-off time."""
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))


@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_after_the_limit_every_attempt_gets_429_even_with_the_right_password_until_the_cool_off(anna, path):
    client = Client()

    statuses = [attempt(client, path, "anna", f"wrong-{number}").status_code for number in range(40)]
    right = attempt(client, path, "anna", PASSWORD)

    assert statuses == [200] * (LIMIT - 1) + [429] * (40 - LIMIT + 1)
    assert right.status_code == 429 and not logged_in(client)
    assert "Too many failed logins" in right.content.decode()

    cool_off_passes()
    after = attempt(client, path, "anna", PASSWORD)
    assert after.status_code == 302 and logged_in(client)


def test_the_lockout_page_is_translated_and_fits_the_login(anna):
    client = Client()
    for number in range(LIMIT - 1):
        attempt(client, "/accounts/login/", "anna", f"wrong-{number}")

    english = attempt(client, "/accounts/login/", "anna", "wrong", language="en")
    german = attempt(client, "/accounts/login/", "anna", "wrong", language="de")

    assert english.status_code == german.status_code == 429
    assert "registration/locked_out.html" in [template.name for template in english.templates]
    page = english.content.decode()
    assert '<main class="login">' in page and "dashboard/dashboard.css" in page
    assert "After too many failed attempts, logging in is blocked for 15 minutes." in page
    assert '<a href="/accounts/login/">Back to the login</a>' in page
    page = german.content.decode()
    assert "Zu viele fehlgeschlagene Anmeldungen" in page
    assert "Nach zu vielen fehlgeschlagenen Versuchen ist die Anmeldung für 15 Minuten gesperrt." in page
    assert "Bitte versuchen Sie es später erneut." in page


@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_a_right_password_before_the_limit_logs_in_and_forgets_the_failures(anna, path):
    for _round in range(2):
        client = Client()
        failures = [attempt(client, path, "anna", "wrong").status_code for _ in range(LIMIT - 1)]
        success = attempt(client, path, "anna", PASSWORD)

        assert failures == [200] * (LIMIT - 1)
        assert success.status_code == 302 and logged_in(client)
        assert not AccessAttempt.objects.exists()


def test_one_address_trying_many_accounts_is_locked_out_and_another_address_is_not(anna):
    for number in range(LIMIT):
        attempt(Client(), "/accounts/login/", f"guess-{number}", "wrong", address="198.51.100.7")

    from_the_guesser = Client()
    from_elsewhere = Client()
    assert attempt(from_the_guesser, "/accounts/login/", "anna", PASSWORD, address="198.51.100.7").status_code == 429
    assert not logged_in(from_the_guesser)
    assert attempt(from_elsewhere, "/accounts/login/", "anna", PASSWORD, address="198.51.100.8").status_code == 302
    assert logged_in(from_elsewhere)


def test_one_account_attacked_from_many_addresses_is_locked_out_from_every_address(anna):
    statuses = [
        attempt(Client(), "/accounts/login/", "anna", "wrong", address=f"203.0.113.{number}").status_code
        for number in range(LIMIT)
    ]

    assert statuses == [200] * (LIMIT - 1) + [429]
    client = Client()
    assert attempt(client, "/accounts/login/", "anna", PASSWORD, address="192.0.2.99").status_code == 429
    assert not logged_in(client)


def test_logging_in_to_an_own_account_does_not_clear_the_addresses_guesses_at_others(anna):
    get_user_model().objects.create_user("mallory", password="mallory-password-123")
    address = "198.51.100.20"
    for username in ["anna", "anna", "ben", "ben"]:
        attempt(Client(), "/accounts/login/", username, "wrong", address=address)

    assert attempt(Client(), "/accounts/login/", "mallory", "mallory-password-123", address=address).status_code == 302
    assert attempt(Client(), "/accounts/login/", "carl", "wrong", address=address).status_code == 429
    assert attempt(Client(), "/accounts/login/", "mallory", "mallory-password-123", address=address).status_code == 429


def test_the_client_address_comes_from_the_projects_one_rule(anna, monkeypatch):
    monkeypatch.setattr("infra.throttle.client_address", lambda request: "203.0.113.77")

    attempt(Client(), "/accounts/login/", "anna", "wrong", address="127.0.0.1")

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.77"]


def test_the_failure_counts_are_in_the_database_so_another_client_sees_the_lockout(anna):
    for _ in range(LIMIT):
        attempt(Client(), "/accounts/login/", "anna", "wrong")

    assert AccessAttempt.objects.get(username="anna").failures_since_start == LIMIT
    other = Client()
    assert attempt(other, "/accounts/login/", "anna", PASSWORD).status_code == 429


def login_over_http(base_url, username, password):
    """A real browser's login: the form with its CSRF token, then the POST. Returns the answer's status."""
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.request("GET", "/accounts/login/")
        page = connection.getresponse()
        body = page.read().decode()
        csrf_cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie")).group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        form = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf_cookie}"}
        connection.request("POST", "/accounts/login/", body=form, headers=headers)
        answer = connection.getresponse()
        answer.read()
        return answer.status
    finally:
        connection.close()


def test_a_lockout_through_one_server_process_holds_in_another(transactional_db, dns_server):
    get_user_model().objects.create_user("anna", password=PASSWORD)
    environment = server_environment(dns_server.address)
    first = DaphneProcess(environment, name="daphne-login-1").start()
    second = DaphneProcess(environment, name="daphne-login-2").start()
    try:
        statuses = [login_over_http(first.url, "anna", "wrong") for _ in range(LIMIT)]
        assert statuses == [200] * (LIMIT - 1) + [429]

        assert login_over_http(second.url, "anna", PASSWORD) == 429
    finally:
        first.stop()
        second.stop()
