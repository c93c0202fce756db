"""
The pre-chat form's e-mail check: syntax, then whether the domain can receive
mail (DNS: MX, else A/AAAA). Asynchronous, so a slow nameserver never blocks
the server's event loop. A domain that does not exist, has a null MX (RFC 7505)
or no host at all is refused, and so is one without MX whose only addresses
are private, loopback or reserved (as email-validator's deliverability check
does: mail could never reach them from the internet). When the resolver
itself fails, the customer goes through with the address marked "domain not
verified": a time-out, an unreachable nameserver, SERVFAIL, or a resolver
that calls every name non-existent (a captive portal, a broken forwarder),
which a "does not exist" answer is checked against by asking for the root
zone's nameservers, which every working resolver knows.

Verdicts are kept per domain in the shared cache for a few minutes, so that
many forms with one domain (the big mail providers, a script) cost one look-up
in all processes together; a time-out is not kept, so the next form asks again.
"""

import asyncio
import enum
import hashlib
import ipaddress
import socket

import dns.asyncresolver
import dns.exception
import dns.inet
import dns.name
import dns.nameserver
import dns.resolver
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from email_validator import EmailNotValidError, validate_email


class Verdict(enum.Enum):
    VERIFIED = "verified"
    UNVERIFIED = "unverified"
    BAD_SYNTAX = "bad_syntax"
    NO_SUCH_DOMAIN = "no_such_domain"
    NULL_MX = "null_mx"
    NO_MAIL_HOST = "no_mail_host"
    PRIVATE_MAIL_HOST = "private_mail_host"

    @property
    def accepted(self):
        return self in (Verdict.VERIFIED, Verdict.UNVERIFIED)


REFUSALS = {
    Verdict.BAD_SYNTAX: _("Enter a valid e-mail address, e.g. name@example.com."),
    Verdict.NO_SUCH_DOMAIN: _("The domain %(domain)s does not exist. Please check the address."),
    Verdict.NULL_MX: _("The domain %(domain)s does not accept e-mail. Please use another address."),
    Verdict.NO_MAIL_HOST: _("The domain %(domain)s has no mail server. Please check the address."),
    Verdict.PRIVATE_MAIL_HOST: _(
        "The domain %(domain)s has no mail server that can be reached from the internet. Please use another address."
    ),
}


def refusal_message(verdict, domain):
    return REFUSALS[verdict] % {"domain": domain}


def normalize_syntax(address):
    """The normalized address and its domain, or None when the syntax is wrong."""
    if not isinstance(address, str) or len(address) > 254:
        return None
    try:
        result = validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return None
    return result.normalized, result.ascii_domain


def parse_nameserver(text):
    """'10.0.0.1', '10.0.0.1:5353', '[::1]:5353' -> (address, port)."""
    if text.startswith("["):
        address, _bracket, rest = text[1:].partition("]")
        return address, int(rest.lstrip(":") or 53)
    if text.count(":") == 1:
        address, port = text.split(":")
        return address, int(port)
    return text, 53


async def _nameservers(texts, timeout):
    """
    Do53 nameservers for the configured "host[:port]" entries. A host name
    (not an IP address) is looked up first, without blocking the event loop:
    dnspython itself only talks to IP addresses, and would otherwise silently
    time out on every query.
    """
    loop = asyncio.get_running_loop()
    nameservers = []
    for text in texts:
        host, port = parse_nameserver(text.strip())
        if dns.inet.is_address(host):
            addresses = [host]
        else:
            try:
                infos = await asyncio.wait_for(loop.getaddrinfo(host, port, type=socket.SOCK_DGRAM), timeout=timeout)
            except (TimeoutError, OSError):
                continue
            addresses = list(dict.fromkeys(info[4][0] for info in infos))
        nameservers += [dns.nameserver.Do53Nameserver(address, port) for address in addresses]
    return nameservers


async def make_resolver():
    """A resolver for the configured nameservers (the system's when none), or None when none can be reached."""
    configured = settings.HELPDESK_DNS_NAMESERVERS
    timeout = settings.HELPDESK_DNS_TIMEOUT
    try:
        resolver = dns.asyncresolver.Resolver(configure=not configured)
    except dns.resolver.NoResolverConfiguration:
        return None
    if configured:
        nameservers = await _nameservers(configured, timeout)
        if not nameservers:
            return None
        resolver.nameservers = nameservers
    # The whole check gets the configured time; each nameserver a share of it,
    # so that a dead first nameserver leaves time to ask the next one.
    resolver.lifetime = timeout
    resolver.timeout = timeout / max(1, len(resolver.nameservers))
    return resolver


async def check_domain(domain):
    resolver = await make_resolver()
    if resolver is None:
        return Verdict.UNVERIFIED
    try:
        answer = await resolver.resolve(domain, "MX")
        exchanges = [record.exchange for record in answer]
        if exchanges and all(exchange == dns.name.root for exchange in exchanges):
            return Verdict.NULL_MX
        return Verdict.VERIFIED
    except dns.resolver.NXDOMAIN:
        return Verdict.NO_SUCH_DOMAIN if await _resolver_works(resolver) else Verdict.UNVERIFIED
    except dns.resolver.NoAnswer:
        pass
    except (dns.exception.Timeout, dns.resolver.NoNameservers):
        return Verdict.UNVERIFIED
    # No MX: RFC 5321 falls back to the domain's own address, which must be
    # one the internet can reach.
    found_any = False
    for record_type in ("A", "AAAA"):
        try:
            answer = await resolver.resolve(domain, record_type)
        except (dns.resolver.NoAnswer, dns.resolver.NXDOMAIN):
            continue
        except (dns.exception.Timeout, dns.resolver.NoNameservers):
            return Verdict.UNVERIFIED
        found_any = True
        if any(ipaddress.ip_address(record.address).is_global for record in answer):
            return Verdict.VERIFIED
    return Verdict.PRIVATE_MAIL_HOST if found_any else Verdict.NO_MAIL_HOST


async def _resolver_works(resolver):
    """Whether the resolver knows the root zone's nameservers: one that calls even those non-existent is broken."""
    try:
        await resolver.resolve(dns.name.root, "NS")
    except dns.exception.DNSException:
        return False
    return True


# Long enough to absorb a burst of forms, short enough that a domain that was
# just fixed (or just broke) is seen soon; DNS itself caches for minutes too.
VERDICT_CACHE_SECONDS = 300


def _verdict_key(ascii_domain):
    # Hashed: a cache key of fixed length and alphabet, whatever the domain.
    return "emailcheck:verdict:" + hashlib.sha256(ascii_domain.encode()).hexdigest()


async def cached_check_domain(ascii_domain):
    """check_domain, with the verdict kept in the shared cache unless DNS did not answer."""
    key = _verdict_key(ascii_domain)
    cached = await cache.aget(key)
    if cached is not None:
        return Verdict(cached)
    verdict = await check_domain(ascii_domain)
    if verdict is not Verdict.UNVERIFIED:
        await cache.aset(key, verdict.value, VERDICT_CACHE_SECONDS)
    return verdict


async def check_email(address):
    """(verdict, normalized address, message or None)."""
    parsed = normalize_syntax(address)
    if parsed is None:
        return Verdict.BAD_SYNTAX, address, REFUSALS[Verdict.BAD_SYNTAX]
    normalized, ascii_domain = parsed
    verdict = await cached_check_domain(ascii_domain)
    # Name the domain as the customer wrote it (bücher.example, not xn--bcher-kva.example).
    message = None if verdict.accepted else refusal_message(verdict, normalized.rpartition("@")[2])
    return verdict, normalized, message
