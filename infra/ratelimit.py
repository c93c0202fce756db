"""Token buckets: one per connection for its frames, and one per key (a chat) for what all its sockets send."""

import time


class TokenBucket:
    """Allows ``burst`` frames at once and ``rate`` frames a second after that."""

    def __init__(self, *, rate, burst, clock=time.monotonic):
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.tokens = float(burst)
        self.updated = clock()

    def allow(self):
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class KeyedBuckets:
    """
    A token bucket per key, e.g. per chat for the messages of all its sockets
    in this process. A bucket that has filled up again is forgotten: a new
    one would be the same, so opening and closing sockets gains nothing.
    """

    def __init__(self, *, rate, burst, clock=time.monotonic):
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.buckets = {}
        self.pruned_at = clock()

    def allow(self, key):
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = TokenBucket(rate=self.rate, burst=self.burst, clock=self.clock)
        allowed = bucket.allow()
        self._prune()
        return allowed

    def _prune(self):
        now = self.clock()
        refill_seconds = self.burst / self.rate
        if now - self.pruned_at < refill_seconds:
            return
        self.pruned_at = now
        for key in [key for key, bucket in self.buckets.items() if now - bucket.updated >= refill_seconds]:
            del self.buckets[key]
