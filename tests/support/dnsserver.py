"""
A real DNS server for the tests, so that no test ever asks a real resolver.

It listens on 127.0.0.1 (UDP and TCP, same random free port) in background
threads and answers from a small in-memory zone built with dnspython:

* example.com, example.org, example.net: MX 10 mail.<domain>; mail.<domain> A 127.0.0.1
* a-only.example: no MX, A 93.184.215.14 (a public address: mail goes to the A record)
* the root: NS (so that the e-mail check finds the resolver working)
* nullmx.example: MX 0 "." (null MX, RFC 7505)
* nomail.example: exists (TXT) but has neither MX nor A/AAAA
* slow.example: never answered (to trigger the resolver's time-out)
* servfail.example: SERVFAIL
* any other name: NXDOMAIN

In pytest: the session-scoped ``dns_server`` fixture, and the autouse
``use_test_dns`` fixture which points HELPDESK_DNS_NAMESERVERS at it (and
restores the default zone after each test). Outside pytest (e.g. before
launching a Daphne subprocess)::

    server = start_dns_server()
    env["HELPDESK_DNS_NAMESERVERS"] = server.address
    ...
    server.stop()
"""

import socket
import socketserver
import struct
import threading
from contextlib import contextmanager

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest

DEFAULT_TTL = 60

# Behaviours for a name and everything below it.
DROP = "drop"  # never answer
SERVFAIL = "servfail"  # answer SERVFAIL


def default_records():
    """(owner, type, rdata) triples of the default zone."""
    records = []
    for domain in ("example.com", "example.org", "example.net"):
        records.append((domain, "MX", f"10 mail.{domain}."))
        records.append((f"mail.{domain}", "A", "127.0.0.1"))
    records += [
        # The root's nameservers, which the e-mail check asks to tell a real
        # "does not exist" from a resolver that says so of everything.
        (".", "NS", "a.root-servers.net."),
        ("a-only.example", "A", "93.184.215.14"),
        ("nullmx.example", "MX", "0 ."),
        ("nomail.example", "TXT", '"v=spf1 -all"'),
    ]
    return records


def default_behaviours():
    return {"slow.example": DROP, "servfail.example": SERVFAIL}


def _name(text):
    return text if isinstance(text, dns.name.Name) else dns.name.from_text(text)


class Zone:
    """Records by owner name (case-insensitive) and type, plus special behaviours."""

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self):
        """Back to the default zone data."""
        with self._lock:
            self._records = {}
            self._behaviours = {}
        for owner, rdtype, rdata in default_records():
            self.add(owner, rdtype, rdata)
        for owner, behaviour in default_behaviours().items():
            self.set_behaviour(owner, behaviour)

    def add(self, owner, rdtype, *rdatas, ttl=DEFAULT_TTL):
        """Add records, e.g. add("shop.example", "MX", "10 mx.shop.example.")."""
        owner = _name(owner)
        rdtype = dns.rdatatype.from_text(rdtype) if isinstance(rdtype, str) else rdtype
        rrset = dns.rrset.from_text(owner, ttl, dns.rdataclass.IN, rdtype, *rdatas)
        with self._lock:
            by_type = self._records.setdefault(owner, {})
            if rdtype in by_type:
                by_type[rdtype].union_update(rrset)
            else:
                by_type[rdtype] = rrset

    def remove(self, owner, rdtype=None):
        """Remove a name's records of one type, or all of them."""
        owner = _name(owner)
        with self._lock:
            if rdtype is None:
                self._records.pop(owner, None)
            else:
                rdtype = dns.rdatatype.from_text(rdtype) if isinstance(rdtype, str) else rdtype
                self._records.get(owner, {}).pop(rdtype, None)

    def set_behaviour(self, owner, behaviour, rdtypes=None):
        """
        DROP (never answer) or SERVFAIL for a name and the names below it; None
        to clear. ``rdtypes`` (e.g. ["A", "AAAA"]) limits it to those query types.
        """
        owner = _name(owner)
        types = None if rdtypes is None else {dns.rdatatype.from_text(t) if isinstance(t, str) else t for t in rdtypes}
        with self._lock:
            if behaviour is None:
                self._behaviours.pop(owner, None)
            else:
                self._behaviours[owner] = (behaviour, types)

    def behaviour(self, qname, rdtype):
        with self._lock:
            for owner, (behaviour, types) in self._behaviours.items():
                if qname.is_subdomain(owner) and (types is None or rdtype in types):
                    return behaviour
        return None

    def lookup(self, qname, rdtype):
        """(exists, rrset or None). A name exists when it or a name below it has records."""
        with self._lock:
            rrset = self._records.get(qname, {}).get(rdtype)
            exists = any(owner.is_subdomain(qname) and types for owner, types in self._records.items())
            return exists, (rrset.copy() if rrset is not None else None)


def _soa_for(qname):
    """A synthetic SOA for negative answers: the name's parent (or the name itself)."""
    zone = qname.parent() if len(qname.labels) > 2 else qname
    return dns.rrset.from_text(
        zone,
        DEFAULT_TTL,
        dns.rdataclass.IN,
        dns.rdatatype.SOA,
        f"ns.{zone} hostmaster.{zone} 1 3600 600 86400 {DEFAULT_TTL}",
    )


def answer(zone, wire):
    """The response's wire form for a query's wire form, or None to stay silent."""
    try:
        query = dns.message.from_wire(wire)
    except Exception:  # noqa: BLE001 - garbage in, silence out
        return None
    if not query.question:
        return None
    question = query.question[0]
    qname, rdtype = question.name, question.rdtype
    behaviour = zone.behaviour(qname, rdtype)
    if behaviour == DROP:
        return None
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA
    if behaviour == SERVFAIL:
        response.set_rcode(dns.rcode.SERVFAIL)
        return response.to_wire()
    exists, rrset = zone.lookup(qname, rdtype)
    if rrset is not None:
        response.answer.append(rrset)
    elif exists:
        response.authority.append(_soa_for(qname))  # NOERROR / NODATA
    else:
        response.set_rcode(dns.rcode.NXDOMAIN)
        response.authority.append(_soa_for(qname))
    return response.to_wire()


class _UDPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        self.server.queries.append(data)
        reply = answer(self.server.zone, data)
        if reply is not None:
            sock.sendto(reply, self.client_address)


class _TCPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        sock.settimeout(5)
        try:
            while True:
                header = _recv_exactly(sock, 2)
                if header is None:
                    return
                (length,) = struct.unpack("!H", header)
                data = _recv_exactly(sock, length)
                if data is None:
                    return
                self.server.queries.append(data)
                reply = answer(self.server.zone, data)
                if reply is not None:
                    sock.sendall(struct.pack("!H", len(reply)) + reply)
        except OSError:
            return


def _recv_exactly(sock, size):
    chunks = b""
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return chunks


class _UDPServer(socketserver.ThreadingMixIn, socketserver.UDPServer):
    daemon_threads = True


class _TCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


class DNSServer:
    """A running test DNS server: .host, .port, .address ("127.0.0.1:<port>"), .zone."""

    def __init__(self, host="127.0.0.1"):
        self.host = host
        self.zone = Zone()
        self.queries = []  # wire form of every query received, for tests that count them
        self._servers = []
        self._threads = []

    @property
    def address(self):
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def start(self):
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        udp_class = type("UDPServer", (_UDPServer,), {"address_family": family})
        tcp_class = type("TCPServer", (_TCPServer,), {"address_family": family})
        for _attempt in range(20):
            udp = udp_class((self.host, 0), _UDPHandler)
            port = udp.server_address[1]
            try:
                tcp = tcp_class((self.host, port), _TCPHandler)
            except OSError:
                udp.server_close()
                continue
            break
        else:
            raise RuntimeError("no free port for the test DNS server")
        self.port = port
        for server in (udp, tcp):
            server.zone = self.zone
            server.queries = self.queries
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
            thread.start()
            self._servers.append(server)
            self._threads.append(thread)
        return self

    def stop(self):
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=2)
        self._servers, self._threads = [], []

    # Zone shortcuts.

    def add_record(self, owner, rdtype, *rdatas, ttl=DEFAULT_TTL):
        self.zone.add(owner, rdtype, *rdatas, ttl=ttl)

    def remove_record(self, owner, rdtype=None):
        self.zone.remove(owner, rdtype)

    def set_behaviour(self, owner, behaviour, rdtypes=None):
        self.zone.set_behaviour(owner, behaviour, rdtypes)

    def reset(self):
        self.zone.reset()
        self.queries.clear()

    def __enter__(self):
        return self.start() if not self._servers else self

    def __exit__(self, *exc):
        self.stop()


def start_dns_server(host="127.0.0.1"):
    """Start a test DNS server outside pytest; call .stop() when done."""
    return DNSServer(host).start()


@contextmanager
def running_dns_server(host="127.0.0.1"):
    server = start_dns_server(host)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def dns_server():
    with running_dns_server() as server:
        yield server


@pytest.fixture(autouse=True)
def use_test_dns(dns_server, settings):
    """Every test resolves against the test server only, with a short time-out."""
    settings.HELPDESK_DNS_NAMESERVERS = [dns_server.address]
    settings.HELPDESK_DNS_TIMEOUT = 0.5
    yield dns_server
    dns_server.reset()


if __name__ == "__main__":  # python -m tests.support.dnsserver: serve until Ctrl-C
    import time

    with running_dns_server() as _server:
        print(_server.address, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
