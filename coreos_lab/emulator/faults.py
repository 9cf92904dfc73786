"""A seeded fault injector: throttling answers, server errors, dropped connections, failed LROs.

Rates are probabilities per ARM request (``lro_failed`` per long-running operation). The same
seed and the same sequence of requests give the same faults.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass

REQUEST_FAULTS = ("throttled", "server_error", "unavailable", "dropped")


@dataclass
class FaultRates:
    throttled: float = 0.0  # 429 with Retry-After
    server_error: float = 0.0  # 500 InternalServerError
    unavailable: float = 0.0  # 503 ServiceUnavailable
    dropped: float = 0.0  # connection closed without an answer
    lro_failed: float = 0.0  # a long-running operation that ends Failed

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    def check(self) -> None:
        """ValueError unless every rate is a share and the request faults fit in one roll."""
        if any(not 0 <= v <= 1 for v in self.as_dict().values()):
            raise ValueError("every fault rate is a share from 0 to 1")
        answered = sum(getattr(self, name) for name in REQUEST_FAULTS)
        if answered > 1:
            raise ValueError(
                f"the request fault rates add up to {answered:g}, more than every request; "
                "keep them at most 1 in all"
            )


class FaultInjector:
    def __init__(self, rates: FaultRates | None = None, seed: int = 0) -> None:
        self.rates = rates or FaultRates()
        self.seed = seed
        self._rng = random.Random(seed)

    def reseed(self, seed: int | None = None) -> None:
        if seed is not None:
            self.seed = seed
        self._rng = random.Random(self.seed)

    def request_fault(self) -> str | None:
        """The fault to inject on this request, or None."""
        roll = self._rng.random()
        for name in REQUEST_FAULTS:
            rate = getattr(self.rates, name)
            if roll < rate:
                return name
            roll -= rate
        return None

    def lro_fails(self) -> bool:
        return self.rates.lro_failed > 0 and self._rng.random() < self.rates.lro_failed
