"""The client address everything counts per (infra.throttle.client_address), behind a given number of proxies."""

import pytest
from django.test import RequestFactory

from infra.throttle import client_address, hit


def request_from(remote, forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", headers=headers, REMOTE_ADDR=remote)


@pytest.fixture
def proxies(settings):
    def set_count(count, *, legacy=False):
        settings.HELPDESK_TRUSTED_PROXY_COUNT = count
        settings.HELPDESK_TRUST_X_FORWARDED_FOR = legacy

    set_count(0)
    return set_count


def test_without_trusted_proxies_the_header_is_ignored(proxies):
    assert client_address(request_from("192.0.2.1", "198.51.100.9")) == "192.0.2.1"


def test_behind_one_proxy_the_entry_it_appended_is_the_client(proxies):
    proxies(1)

    assert client_address(request_from("10.0.0.2", "203.0.113.50, 198.51.100.9")) == "198.51.100.9"


def test_the_older_switch_means_one_proxy(proxies):
    proxies(0, legacy=True)

    assert client_address(request_from("10.0.0.2", "203.0.113.50, 198.51.100.9")) == "198.51.100.9"


def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client(proxies):
    # CDN -> nginx -> Daphne: the CDN appended the client, nginx the CDN.
    proxies(2)

    assert client_address(request_from("10.0.0.2", "203.0.113.50, 198.51.100.9, 192.0.2.77")) == "198.51.100.9"


def test_a_private_client_address_is_taken_as_it_is(proxies):
    # An office network behind the proxy: no public address is looked for elsewhere.
    proxies(1)

    request = RequestFactory().get(
        "/",
        headers={"X-Forwarded-For": "10.1.2.3", "X-Real-IP": "8.8.8.8", "Client-IP": "8.8.4.4"},
        REMOTE_ADDR="10.0.0.2",
    )

    assert client_address(request) == "10.1.2.3"


@pytest.mark.parametrize(
    "forwarded", ["not an address, 198.51.100.9", "unknown,, 198.51.100.9", "[::1]:80, 198.51.100.9"]
)
def test_made_up_entries_left_of_the_proxys_do_not_matter(proxies, forwarded):
    proxies(1)

    assert client_address(request_from("10.0.0.2", forwarded)) == "198.51.100.9"


@pytest.mark.parametrize("forwarded", [None, "", "198.51.100.9"])
def test_with_fewer_entries_than_trusted_proxies_the_connecting_address_counts(proxies, forwarded):
    proxies(2)

    assert client_address(request_from("10.0.0.2", forwarded)) == "10.0.0.2"


def test_an_ipv6_client_behind_the_proxy(proxies):
    proxies(1)

    assert client_address(request_from("10.0.0.2", "2001:db8::1")) == "2001:db8::1"


def test_a_hit_counts_up_to_the_limit_within_the_window():
    assert [hit("test", "k", limit=2, window_seconds=60) for _ in range(3)] == [True, True, False]
