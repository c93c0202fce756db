"""A token bucket for one connection's frames; per connection, so per process is right."""
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
