"""
Counting per client address in the shared cache, so every server process sees the same count.

The client address is one rule for everything that counts per client (these
limits, the login throttle): behind N trusted proxies it is the address the
outermost of them saw, which each proxy appends at the end of X-Forwarded-For
(nginx: ``$proxy_add_x_forwarded_for``). Entries further left were written by
the client and prove nothing; taking one of them would let any client choose
its own bucket.
"""

from django.conf import settings
from django.core.cache import cache
from ipware import get_client_ip

# The only header read: every other client-address header ipware knows of
# (X-Real-IP, Client-IP, ...) could be sent by the client itself.
FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR",)


def trusted_proxy_count():
    """HELPDESK_TRUSTED_PROXY_COUNT; the older HELPDESK_TRUST_X_FORWARDED_FOR means one proxy."""
    count = max(int(settings.HELPDESK_TRUSTED_PROXY_COUNT), 0)
    if not count and settings.HELPDESK_TRUST_X_FORWARDED_FOR:
        return 1
    return count


def client_address(request):
    """
    The address the request came from: REMOTE_ADDR without trusted proxies;
    behind N of them, the N-th X-Forwarded-For entry from the right. When the
    header has fewer entries than that (the request did not come through
    every proxy), REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = trusted_proxy_count()
    if not proxies:
        return remote
    # ipware counts the proxies listed in the header; the last one (the
    # proxy in front of this server) is REMOTE_ADDR, not listed. Not strict:
    # entries the client made up on the left must not void the header.
    address, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        proxy_count=proxies - 1,
        request_header_order=FORWARDED_HEADERS,
        strict=False,
    )
    return address or remote


def hit(scope, key, *, limit, window_seconds):
    """Count one hit; True while the count within the window stays within ``limit``."""
    cache_key = f"throttle:{scope}:{key}"
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # The key expired between add and incr: this is the first hit of a new window.
        cache.set(cache_key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
