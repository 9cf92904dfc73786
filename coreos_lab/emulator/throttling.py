"""ARM's subscription throttling: one token bucket per kind of request.

Sizes and refill rates from Microsoft Learn, "Understand how Azure Resource Manager throttles
requests" (token bucket algorithm, 2024): reads 250 tokens refilled at 25/s, writes 200 at
10/s, deletes 200 at 10/s, per subscription and region. Every answer carries
``x-ms-ratelimit-remaining-subscription-<kind>``; an empty bucket answers 429 with
``Retry-After``. The buckets run on real time, whatever the latency scale.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

DEFAULT_BUCKETS: dict[str, tuple[float, float]] = {
    "reads": (250.0, 25.0),
    "writes": (200.0, 10.0),
    "deletes": (200.0, 10.0),
}
KIND_TO_BUCKET = {"read": "reads", "write": "writes", "delete": "deletes"}


@dataclass
class TokenBucket:
    capacity: float
    refill_per_second: float
    tokens: float = -1.0
    stamp: float = 0.0

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = self.capacity
        self.stamp = time.monotonic()

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.refill_per_second)
        self.stamp = now

    def take(self) -> tuple[bool, int, float]:
        """Take a token: (granted, tokens left, seconds until one is back)."""
        self._refill()
        if self.tokens >= 1:
            self.tokens -= 1
            return True, int(self.tokens), 0.0
        wait = (1 - self.tokens) / self.refill_per_second if self.refill_per_second else 60.0
        return False, 0, wait


class Throttler:
    """The three subscription buckets; ``configure`` replaces them (refilled)."""

    def __init__(self, enabled: bool = True, buckets: dict[str, tuple[float, float]] | None = None):
        self.enabled = enabled
        self.sizes = dict(DEFAULT_BUCKETS)
        self.configure(enabled, buckets)

    def configure(
        self, enabled: bool | None = None, buckets: dict[str, tuple[float, float]] | None = None
    ) -> None:
        if enabled is not None:
            self.enabled = enabled
        if buckets:
            self.sizes.update(buckets)
        self.buckets = {k: TokenBucket(c, r) for k, (c, r) in self.sizes.items()}

    def take(self, kind: str) -> tuple[bool, str, int, int]:
        """(granted, header name, remaining, Retry-After seconds) for a request of ``kind``."""
        name = KIND_TO_BUCKET[kind]
        header = f"x-ms-ratelimit-remaining-subscription-{name}"
        bucket = self.buckets[name]
        if not self.enabled:
            return True, header, int(bucket.capacity) - 1, 0
        granted, left, wait = bucket.take()
        return granted, header, left, max(1, math.ceil(wait))
