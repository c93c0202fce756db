"""
Origins: the site's own (the widget iframe, the dashboard and their sockets
live there) and the websites a channel may be embedded in.

An origin is scheme, host and port, compared whole: an ``http://`` page is
not the ``https://`` site, and ``:8443`` is not ``:443``. Written here rather
than taken from urllib or Django's URLValidator because both accept far more
than an origin (paths, user names, wildcards are not their concern), and the
channel's origins go into a Content-Security-Policy header, where a stray
``*`` or ``;`` would change the policy.
"""

import ipaddress
import re

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": "80", "https": "443"}

_ORIGIN = re.compile(
    r"(?P<scheme>https?)://(?P<host>\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(?P<port>[0-9]{1,5}))?",
    re.IGNORECASE | re.ASCII,
)
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.ASCII)


def _normal_host(host):
    """The host in its canonical spelling, or None when it is not a host name or an IP literal."""
    host = host.lower()
    if host.startswith("["):
        try:
            return f"[{ipaddress.IPv6Address(host[1:-1]).compressed}]"
        except ValueError:
            return None
    if re.fullmatch(r"[0-9.]+", host):
        try:
            return str(ipaddress.IPv4Address(host))
        except ValueError:
            return None
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in host.split(".")):
        return None
    return host


def normalize_origin(text):
    """
    ``scheme://host[:port]`` in the form browsers send in the Origin header
    (lower case, the scheme's default port left out), or None when ``text``
    is anything else: another scheme, a path or trailing slash, a user name,
    a wildcard, a port out of range.
    """
    if not isinstance(text, str):
        return None
    match = _ORIGIN.fullmatch(text)
    if match is None:
        return None
    scheme = match["scheme"].lower()
    host = _normal_host(match["host"])
    port = match["port"]
    if host is None or (port is not None and not 1 <= int(port) <= 65535):
        return None
    port = None if port is None else str(int(port))
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def origin_of(scheme, host):
    """The origin of this site as reached with ``scheme`` (http/https) at ``host`` (the Host header)."""
    return normalize_origin(f"{scheme}://{host}")


def is_same_origin(origin, own):
    """Whether the Origin header ``origin`` names the origin ``own`` (from origin_of)."""
    return own is not None and normalize_origin(origin) == own


def _proxy_scheme(headers):
    """
    'https' or 'http' from the proxy's header when SECURE_PROXY_SSL_HEADER is
    set and the header is present (as Django's request.scheme decides), else None.
    """
    if not settings.SECURE_PROXY_SSL_HEADER:
        return None
    name, secure_value = settings.SECURE_PROXY_SSL_HEADER
    key = name.removeprefix("HTTP_").replace("_", "-").lower().encode("latin-1")
    value = headers.get(key)
    if value is None:
        return None
    return "https" if value.decode("latin-1").split(",", 1)[0].strip() == secure_value else "http"


def websocket_scheme(scope, headers):
    """The scheme of the page a socket belongs to: https for wss, or as the HTTPS proxy says."""
    return _proxy_scheme(headers) or ("https" if scope.get("scheme") == "wss" else "http")


class SameOriginValidator:
    """
    Deny a websocket whose Origin is not this site's own origin (scheme, host
    and port as the socket was reached), or whose host is not in
    ALLOWED_HOSTS. Host pages embed the widget in an iframe served from this
    site, so no foreign page ever opens these sockets itself. ALLOWED_HOSTS is
    read per connection, as Django's own host check does.
    """

    # An ASGI 3 application although __call__ is no coroutine function (asgiref would take it for ASGI 2).
    _asgi_single_callable = True

    def __init__(self, application):
        self.application = application

    def __call__(self, scope, receive, send):
        # Not a coroutine of its own: it returns the application's (or the
        # denier's), so that no frame of this check stays alive for as long as
        # the socket is open (docs/performance.md, idle sockets).
        headers = dict(scope.get("headers", []))
        origin = headers.get(b"origin", b"").decode("latin-1")
        host = headers.get(b"host", b"").decode("latin-1").lower()
        domain, _port = split_domain_port(host)
        same_origin = is_same_origin(origin, origin_of(websocket_scheme(scope, headers), host))
        allowed_hosts = settings.ALLOWED_HOSTS
        if settings.DEBUG and not allowed_hosts:
            allowed_hosts = [".localhost", "127.0.0.1", "[::1]"]
        if not (same_origin and domain and validate_host(domain, allowed_hosts)):
            return WebsocketDenier()(scope, receive, send)
        return self.application(scope, receive, send)
