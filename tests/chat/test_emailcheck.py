"""The pre-chat e-mail check against the real test DNS server (tests/dnsserver.py)."""

import asyncio
import socket
import time

import dns.message
import dns.rdatatype
import pytest
from django.utils import translation

from chat.configuration import emailcheck
from chat.configuration.emailcheck import Verdict
from tests.support.dnsserver import DROP, running_dns_server


def _ipv6_available():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


def _free_udp_port():
    """A port on 127.0.0.1 where nothing listens (an unreachable nameserver)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The verdicts -----------------------------------------------------------------


@pytest.mark.parametrize("address", ["erika@example.com", "erika@example.org", "erika@example.net"])
async def test_a_domain_with_an_mx_record_is_verified(address):
    verdict, normalized, message = await emailcheck.check_email(address)

    assert verdict is Verdict.VERIFIED
    assert verdict.accepted
    assert normalized == address
    assert message is None


async def test_a_domain_without_mx_but_with_an_a_record_is_verified_through_the_a_fallback():
    verdict, _normalized, message = await emailcheck.check_email("erika@a-only.example")

    assert verdict is Verdict.VERIFIED
    assert message is None


async def test_a_domain_without_mx_but_with_an_aaaa_record_is_verified(dns_server):
    dns_server.add_record("v6-only.example", "AAAA", "2606:2800:21f:cb07::25")

    verdict, _normalized, message = await emailcheck.check_email("erika@v6-only.example")

    assert verdict is Verdict.VERIFIED
    assert message is None


@pytest.mark.parametrize(
    "addresses",
    [
        [("A", "127.0.0.1")],
        [("A", "10.1.2.3")],
        [("A", "192.168.0.25"), ("AAAA", "fd00::25")],
        [("A", "192.0.2.25")],  # documentation (reserved)
        [("AAAA", "::1")],
        [("A", "0.0.0.0")],
    ],
    ids=["loopback", "private", "private both", "reserved", "loopback v6", "unspecified"],
)
async def test_a_domain_whose_only_mail_host_is_private_loopback_or_reserved_is_refused(dns_server, addresses):
    for record_type, address in addresses:
        dns_server.add_record("intranet.example", record_type, address)

    verdict, _normalized, message = await emailcheck.check_email("erika@intranet.example")

    assert verdict is Verdict.PRIVATE_MAIL_HOST and not verdict.accepted
    assert message == (
        "The domain intranet.example has no mail server that can be reached from the internet. "
        "Please use another address."
    )


async def test_one_public_address_beside_private_ones_is_enough(dns_server):
    dns_server.add_record("mixed.example", "A", "10.1.2.3")
    dns_server.add_record("mixed.example", "AAAA", "2606:2800:21f:cb07::25")

    verdict, _normalized, _message = await emailcheck.check_email("erika@mixed.example")

    assert verdict is Verdict.VERIFIED


async def test_a_resolver_that_calls_every_name_non_existent_lets_the_address_through_unverified(dns_server):
    # A captive portal or a broken forwarder: even the root's nameservers "do not exist".
    dns_server.remove_record(".")

    verdict, _normalized, message = await emailcheck.check_email("erika@no-such-domain.example")

    assert verdict is Verdict.UNVERIFIED and verdict.accepted
    assert message is None


async def test_a_null_mx_domain_is_refused():
    verdict, _normalized, message = await emailcheck.check_email("erika@nullmx.example")

    assert verdict is Verdict.NULL_MX
    assert not verdict.accepted
    assert message == "The domain nullmx.example does not accept e-mail. Please use another address."


async def test_a_domain_with_a_null_mx_and_an_a_record_is_still_refused(dns_server):
    # RFC 7505: the null MX says "no mail", whatever else the domain publishes.
    dns_server.add_record("nullmx.example", "A", "192.0.2.20")

    verdict, _normalized, _message = await emailcheck.check_email("erika@nullmx.example")

    assert verdict is Verdict.NULL_MX


async def test_a_domain_that_exists_but_has_neither_mx_nor_address_is_refused_as_having_no_mail_server():
    verdict, _normalized, message = await emailcheck.check_email("erika@nomail.example")

    assert verdict is Verdict.NO_MAIL_HOST
    assert not verdict.accepted
    assert message == "The domain nomail.example has no mail server. Please check the address."


async def test_a_domain_that_does_not_exist_is_refused():
    verdict, _normalized, message = await emailcheck.check_email("erika@no-such-domain.example")

    assert verdict is Verdict.NO_SUCH_DOMAIN
    assert not verdict.accepted
    assert message == "The domain no-such-domain.example does not exist. Please check the address."


async def test_a_dns_time_out_lets_the_address_through_unverified():
    verdict, normalized, message = await emailcheck.check_email("erika@slow.example")

    assert verdict is Verdict.UNVERIFIED
    assert verdict.accepted
    assert normalized == "erika@slow.example"
    assert message is None


async def test_a_servfail_lets_the_address_through_unverified():
    verdict, _normalized, message = await emailcheck.check_email("erika@servfail.example")

    assert verdict is Verdict.UNVERIFIED
    assert message is None


async def test_a_time_out_of_the_a_fallback_lets_the_address_through_unverified(dns_server):
    dns_server.add_record("half-slow.example", "TXT", '"hello"')
    dns_server.set_behaviour("half-slow.example", DROP, rdtypes=["A", "AAAA"])

    verdict, _normalized, message = await emailcheck.check_email("erika@half-slow.example")

    assert verdict is Verdict.UNVERIFIED
    assert message is None


async def test_an_unreachable_nameserver_lets_the_address_through_unverified(settings):
    settings.HELPDESK_DNS_NAMESERVERS = [f"127.0.0.1:{_free_udp_port()}"]

    verdict, _normalized, message = await emailcheck.check_email("erika@no-such-domain.example")

    assert verdict is Verdict.UNVERIFIED
    assert message is None


async def test_a_nameserver_host_name_that_does_not_resolve_lets_the_address_through_unverified(settings):
    settings.HELPDESK_DNS_NAMESERVERS = ["no-such-host.invalid:53"]

    verdict, _normalized, _message = await emailcheck.check_email("erika@example.com")

    assert verdict is Verdict.UNVERIFIED


async def test_the_check_really_asks_the_configured_nameserver(dns_server):
    dns_server.queries.clear()

    await emailcheck.check_email("erika@example.com")

    questions = [dns.message.from_wire(wire).question[0] for wire in dns_server.queries]
    assert [(q.name.to_text(), q.rdtype) for q in questions] == [("example.com.", dns.rdatatype.MX)]


# Time-out and the event loop ------------------------------------------------


async def test_a_time_out_returns_within_roughly_the_configured_time(settings):
    settings.HELPDESK_DNS_TIMEOUT = 0.3
    started = time.monotonic()

    verdict, _normalized, _message = await emailcheck.check_email("erika@slow.example")

    elapsed = time.monotonic() - started
    assert verdict is Verdict.UNVERIFIED
    assert 0.25 <= elapsed < 1.0


async def test_a_slow_nameserver_does_not_block_the_event_loop():
    ticks = 0
    done = asyncio.Event()

    async def ticker():
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0.02)

    ticking = asyncio.create_task(ticker())
    try:
        verdict, _normalized, _message = await emailcheck.check_email("erika@slow.example")
    finally:
        done.set()
        await ticking

    assert verdict is Verdict.UNVERIFIED
    # 0.5 s of waiting at one tick per 20 ms: a blocked loop would tick once or twice.
    assert ticks >= 10


async def test_several_checks_run_concurrently_rather_than_one_after_another():
    started = time.monotonic()

    results = await asyncio.gather(*(emailcheck.check_email(f"user{i}@slow.example") for i in range(4)))

    assert {verdict for verdict, _n, _m in results} == {Verdict.UNVERIFIED}
    assert time.monotonic() - started < 1.5  # four 0.5 s time-outs in sequence would take 2 s


# Syntax and normalisation ----------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "",
        "erika",
        "erika@",
        "@example.com",
        "erika@@example.com",
        "erika example@example.com",
        "erika@example",
        "erika@-example.com",
        "erika@example..com",
        "erika@example.invalid",  # special-use name: refused as syntax, before any DNS
        "a" * 250 + "@example.com",
        None,
        42,
    ],
)
async def test_an_address_with_wrong_syntax_is_refused_before_any_dns_query(address, dns_server):
    dns_server.queries.clear()

    verdict, _normalized, message = await emailcheck.check_email(address)

    assert verdict is Verdict.BAD_SYNTAX
    assert not verdict.accepted
    assert str(message) == "Enter a valid e-mail address, e.g. name@example.com."
    assert dns_server.queries == []


async def test_the_domain_part_is_normalised_to_lower_case_and_the_local_part_kept():
    verdict, normalized, _message = await emailcheck.check_email("Erika.Mustermann@EXAMPLE.Com")

    assert verdict is Verdict.VERIFIED
    assert normalized == "Erika.Mustermann@example.com"


async def test_an_internationalised_domain_is_checked_in_its_ascii_form(dns_server):
    dns_server.add_record("xn--bcher-kva.example", "MX", "10 mail.xn--bcher-kva.example.")
    dns_server.queries.clear()

    verdict, normalized, message = await emailcheck.check_email("erika@bücher.example")

    assert verdict is Verdict.VERIFIED
    assert message is None
    assert normalized == "erika@bücher.example"
    asked = {dns.message.from_wire(wire).question[0].name.to_text() for wire in dns_server.queries}
    assert asked == {"xn--bcher-kva.example."}


async def test_a_refusal_of_an_internationalised_domain_names_it_as_the_customer_wrote_it(dns_server):
    dns_server.queries.clear()

    verdict, _normalized, message = await emailcheck.check_email("erika@nöwhere.example")

    assert verdict is Verdict.NO_SUCH_DOMAIN
    assert message == "The domain nöwhere.example does not exist. Please check the address."
    asked = {dns.message.from_wire(wire).question[0].name.to_text() for wire in dns_server.queries}
    assert asked == {"xn--nwhere-wxa.example.", "."}  # the domain in ASCII, and the root to trust the "no"


def test_normalize_syntax_returns_the_normalized_address_and_ascii_domain():
    assert emailcheck.normalize_syntax("erika@Bücher.Example") == ("erika@bücher.example", "xn--bcher-kva.example")
    assert emailcheck.normalize_syntax("not an address") is None
    assert emailcheck.normalize_syntax("x" * 255) is None


# Nameserver settings ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.0.0.1", ("10.0.0.1", 53)),
        ("10.0.0.1:5353", ("10.0.0.1", 5353)),
        ("dns.internal", ("dns.internal", 53)),
        ("dns.internal:5353", ("dns.internal", 5353)),
        ("[::1]:5353", ("::1", 5353)),
        ("[::1]", ("::1", 53)),
        ("2001:db8::53", ("2001:db8::53", 53)),
    ],
)
def test_a_nameserver_setting_is_parsed_into_address_and_port(text, expected):
    assert emailcheck.parse_nameserver(text) == expected


async def test_a_nameserver_given_as_host_and_port_is_used(dns_server, settings):
    settings.HELPDESK_DNS_NAMESERVERS = [f"127.0.0.1:{dns_server.port}"]

    verdict, _normalized, _message = await emailcheck.check_email("erika@nullmx.example")

    assert verdict is Verdict.NULL_MX


async def test_a_nameserver_given_as_a_host_name_is_looked_up_and_used(dns_server, settings):
    settings.HELPDESK_DNS_NAMESERVERS = [f"localhost:{dns_server.port}"]

    verdict, _normalized, _message = await emailcheck.check_email("erika@nullmx.example")

    assert verdict is Verdict.NULL_MX


@pytest.mark.skipif(not _ipv6_available(), reason="no IPv6 loopback")
async def test_a_nameserver_given_as_bracketed_ipv6_address_and_port_is_used(settings):
    with running_dns_server("::1") as server_v6:
        assert server_v6.address == f"[::1]:{server_v6.port}"
        settings.HELPDESK_DNS_NAMESERVERS = [server_v6.address]

        verdict, _normalized, _message = await emailcheck.check_email("erika@nullmx.example")

    assert verdict is Verdict.NULL_MX


async def test_a_second_nameserver_is_asked_when_the_first_is_unreachable(dns_server, settings):
    settings.HELPDESK_DNS_NAMESERVERS = [f"127.0.0.1:{_free_udp_port()}", dns_server.address]
    settings.HELPDESK_DNS_TIMEOUT = 2

    verdict, _normalized, _message = await emailcheck.check_email("erika@nullmx.example")

    assert verdict is Verdict.NULL_MX


def test_every_test_uses_the_test_nameserver_with_a_short_time_out(dns_server, settings):
    assert settings.HELPDESK_DNS_NAMESERVERS == [dns_server.address]
    assert dns_server.address == f"127.0.0.1:{dns_server.port}"
    assert settings.HELPDESK_DNS_TIMEOUT == 0.5


# Translations ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("erika@no-such-domain.example", "The domain no-such-domain.example does not exist. Please check the address."),
        ("erika@nullmx.example", "The domain nullmx.example does not accept e-mail. Please use another address."),
        ("erika@nomail.example", "The domain nomail.example has no mail server. Please check the address."),
        ("erika", "Enter a valid e-mail address, e.g. name@example.com."),
    ],
)
async def test_each_refusal_has_a_message_naming_the_problem(address, expected):
    with translation.override("en"):
        _verdict, _normalized, message = await emailcheck.check_email(address)
        assert str(message) == expected


@pytest.mark.parametrize(
    "address", ["erika@no-such-domain.example", "erika@nullmx.example", "erika@nomail.example", "x"]
)
async def test_a_refusal_message_is_produced_in_the_active_language(address):
    # German catalogues may not exist yet: only check that a message comes out.
    with translation.override("de"):
        verdict, _normalized, message = await emailcheck.check_email(address)
        text = str(message)

    assert not verdict.accepted
    assert text.strip()
    assert "%(" not in text


def test_refusal_message_fills_in_the_domain():
    assert emailcheck.refusal_message(Verdict.NULL_MX, "nullmx.example") == (
        "The domain nullmx.example does not accept e-mail. Please use another address."
    )
