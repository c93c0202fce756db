"""Counting per client address in the shared cache, so every server process sees the same count."""
from django.conf import settings
from django.core.cache import cache


def client_address(request):
    """The address the request came from; behind a proxy, its first X-Forwarded-For entry if trusted."""
    if settings.HELPDESK_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


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
