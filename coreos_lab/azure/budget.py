"""A client-side mirror of ARM's subscription throttling, so requests slow down before a 429.

:class:`Budget` keeps ARM's read, write and delete buckets, lowered to what each answer says is
left; :class:`BudgetPolicy` charges every request (each retry too) as an azure-core policy;
:class:`PacedPolling` spaces the polls of long-running operations within a share of the read
refill. ARM's buckets and headers: docs/facts.md, "Azure Resource Manager"."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import HTTPPolicy
from azure.core.pipeline.policies._utils import get_retry_after
from azure.mgmt.core.polling.arm_polling import ARMPolling

# (tokens, refill per second) of each of ARM's subscription buckets (see the module docstring).
ARM_BUCKETS: dict[str, tuple[float, float]] = {
    "reads": (250.0, 25.0),
    "writes": (200.0, 10.0),
    "deletes": (200.0, 10.0),
}
HEADER = "x-ms-ratelimit-remaining-subscription-"
# Polls of long-running operations may use this share of the read refill; the rest is left to
# the reads a run makes besides polls (inventories, machine lists).
POLL_SHARE = 0.8
# The refill is learned over windows of this many seconds, and never taken below MIN_REFILL.
LEARN_AFTER = 1.0
MIN_REFILL = 0.5
# A view hears of backing off at most once in this many seconds, however many answers say so.
SAY_EVERY = 3.0
# Answers after which azure-core's RetryPolicy may send a request again (see _resent).
_RETRIED = {429: "429 Too Many Requests", 500: "500", 502: "502", 503: "503", 504: "504"}
_ONE = {"reads": "a read", "writes": "a write", "deletes": "a delete"}
# POSTs that ARM counts as reads: list actions and name checks.
_READ_POST = re.compile(r"/(list\w*|check\w*)$", re.I)


def kind_of(method: str, path: str) -> str:
    """``reads``, ``writes`` or ``deletes``: the bucket ARM charges for the request."""
    method = method.upper()
    if method in ("GET", "HEAD", "OPTIONS"):
        return "reads"
    if method == "DELETE":
        return "deletes"
    if method == "POST" and _READ_POST.search(path.rstrip("/")):
        return "reads"
    return "writes"


@dataclass
class _Bucket:
    capacity: float
    refill: float
    tokens: float = -1.0
    stamp: float = field(default_factory=time.monotonic)
    blocked_until: float = 0.0  # after a 429: nothing is sent before this
    in_flight: int = 0
    answers: int = 0
    # (time, ARM's remaining, answers so far) of an earlier answer: the refill is learned from
    # it, for a subscription whose bucket refills slower than Azure's documented rate.
    mark: tuple[float, int, int] | None = None

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = self.capacity
        self.nominal = self.refill
        self.nominal_capacity = self.capacity
        self.most = 0

    def refill_now(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.refill)
        self.stamp = now

    def learn(self, now: float, remaining: int) -> None:
        """Estimate ARM's refill from two answers at least LEARN_AFTER seconds apart.

        Between them ARM's count went from r1 to r2 while it answered n requests, so it
        refilled r2 - r1 + n tokens. Only while the bucket is well below full (a full bucket
        does not grow, which would read as a slow refill); never above the documented rate.
        """
        self.answers += 1
        # A bucket never holds more than the most ARM ever said was left (plus the request
        # that answer was about): a busy subscription's is smaller than the documented size.
        self.most = max(self.most, remaining + 1)
        self.capacity = min(self.nominal_capacity, float(self.most))
        if remaining + 1 >= 0.9 * self.capacity:  # the answered request took one
            # ARM's bucket is about full: whatever slowed this side down is over, so the
            # pace climbs back (doubling per answer) to the documented rate.
            self.refill = min(self.nominal, self.refill * 2)
            self.mark = None
            return
        if self.mark is None:
            self.mark = (now, remaining, self.answers)
            return
        then, before, answers = self.mark
        if now - then < LEARN_AFTER:
            return
        rate = (remaining - before + self.answers - answers) / (now - then)
        self.refill = min(self.nominal, max(MIN_REFILL, (self.refill + rate) / 2))
        self.mark = (now, remaining, self.answers)

    def wait_time(self, now: float) -> float:
        """Seconds until a token may be taken; 0 when one is there."""
        if now < self.blocked_until:
            return self.blocked_until - now
        if self.tokens >= 1:
            return 0.0
        return (1 - self.tokens) / self.refill


class Budget:
    """ARM's three subscription buckets as this process sees them; safe across threads."""

    def __init__(self, sizes: dict[str, tuple[float, float]] | None = None) -> None:
        self._cond = threading.Condition()
        self._buckets = {k: _Bucket(c, r) for k, (c, r) in (sizes or ARM_BUCKETS).items()}
        self._polls = 0
        self.sent = {k: 0 for k in self._buckets}
        self.waited = 0.0  # seconds requests spent waiting for a token, summed
        self.throttled = 0  # 429s received
        self.others_throttled = 0  # of them, those not of the subscription's bucket
        # Told, in one sentence, when requests back off and when the pace is back (a view's
        # line; called from the SDK's threads, never under the budget's lock).
        self.notify: Callable[[str, bool], None] | None = None
        self._said = 0.0
        self._slowed = False

    def trouble(
        self,
        kind: str,
        answer: str | None,
        retry_after: float | None,
        *,
        subscription: bool = False,
        resent: bool = True,
    ) -> None:
        """Say (at most every SAY_EVERY s) that a request backs off, and why: ``answer`` is
        the status ARM answered, None for a dropped connection; ``resent``: whether
        azure-core's RetryPolicy sends it again (it sends no POST whose connection dropped);
        ``subscription``: a 429 of the subscription's own bucket."""
        now = time.monotonic()
        with self._cond:
            if self.notify is None or now - self._said < SAY_EVERY:
                return
            self._said = now
            self._slowed = True
            pace = self._buckets[kind].refill
            notify = self.notify
        wait = f"{retry_after:g} s (its Retry-After)" if retry_after else "a short backoff"
        what = f"ARM answered {answer}" if answer else "the connection dropped"
        if subscription:
            text = (
                f"backing off: the subscription's {kind} limit is reached ({what}); {kind} "
                f"pause {wait}, then go on at {pace:.3g} per second"
            )
        elif resent:
            text = f"backing off: {_ONE[kind]} failed ({what}); it is sent again after {wait}"
        else:
            text = f"{_ONE[kind]} failed ({what}) and cannot be sent again safely"
        notify(text, False)

    def recovered(self) -> None:
        """After backing off, say once that Azure answers at full pace again: no trouble for
        SAY_EVERY seconds and every bucket's pace back at Azure's."""
        now = time.monotonic()
        with self._cond:
            if not self._slowed or self.notify is None or now - self._said < SAY_EVERY:
                return
            if any(b.refill < b.nominal for b in self._buckets.values()):
                return
            self._slowed = False
            notify = self.notify
        notify("Azure answers at full pace again", True)

    def take(self, kind: str) -> None:
        """Take a token of ``kind``, waiting until the bucket has one."""
        bucket = self._buckets[kind]
        began = time.monotonic()
        with self._cond:
            while True:
                now = time.monotonic()
                bucket.refill_now(now)
                wait = bucket.wait_time(now)
                if wait <= 0:
                    break
                self._cond.wait(wait)
            bucket.tokens -= 1
            bucket.in_flight += 1
            self.sent[kind] += 1
            self.waited += time.monotonic() - began

    def answered(self, kind: str, remaining: int | None, retry_after: float | None) -> None:
        """Correct the bucket from an answer: ARM's count, or a 429's ``Retry-After``."""
        bucket = self._buckets[kind]
        with self._cond:
            bucket.in_flight = max(0, bucket.in_flight - 1)
            bucket.refill_now(time.monotonic())
            if retry_after is not None and remaining is None:
                # A 429 that does not speak for the subscription's bucket (a resource
                # provider's own limit, docs/facts.md): that request waits its Retry-After in
                # the RetryPolicy; every other request goes on at the bucket's pace.
                self.throttled += 1
                self.others_throttled += 1
            elif retry_after is not None:
                self.throttled += 1
                now = time.monotonic()
                if now >= bucket.blocked_until:
                    # ARM refills slower than this side thought: halve until the headers
                    # tell the rate (once per Retry-After, however many answers say so).
                    bucket.refill = max(MIN_REFILL, bucket.refill / 2)
                bucket.tokens = min(bucket.tokens, 0.0)
                bucket.blocked_until = max(bucket.blocked_until, now + retry_after)
            elif remaining is not None:
                # Requests still on their way have taken a token here but not yet at ARM.
                bucket.tokens = min(bucket.tokens, float(remaining - bucket.in_flight))
                bucket.learn(time.monotonic(), remaining)
            self._cond.notify_all()

    def pace(self, kind: str) -> float:
        """Requests per second this side allows ``kind`` now (the bucket's refill)."""
        with self._cond:
            return self._buckets[kind].refill

    def tokens(self, kind: str) -> float:
        with self._cond:
            bucket = self._buckets[kind]
            bucket.refill_now(time.monotonic())
            return bucket.tokens

    @contextmanager
    def polling(self) -> Iterator[None]:
        """Count a long-running operation as polled while the block runs."""
        with self._cond:
            self._polls += 1
        try:
            yield
        finally:
            with self._cond:
                self._polls -= 1

    def poll_delay(self, interval: float) -> float:
        """Seconds between two polls of one operation: ``interval``, or more when many poll.

        All operations polling together may use POLL_SHARE of the read refill, so polls alone
        never empty the read bucket. (Polling each operation after a share of its running
        time instead was measured slower: when the share is scarce, every operation's wait
        grows alike, and one computed while many started is slept in full.)
        """
        return max(interval, self._polls / (POLL_SHARE * self._buckets["reads"].refill))


class BudgetPolicy(HTTPPolicy[Any, Any]):
    """Takes a token before each attempt of a request and corrects the budget from the answer.

    Placed where the SDK clients put their ``custom_hook_policy``: after the retry policy, so
    every retry (and every poll, which goes through the same pipeline) is paid for.
    """

    def __init__(self, budget: Budget) -> None:
        super().__init__()
        self.budget = budget

    def send(self, request: PipelineRequest[Any]) -> PipelineResponse[Any, Any]:
        http = request.http_request
        kind = kind_of(http.method, _path(http.url))
        self.budget.take(kind)
        try:
            response = self.next.send(request)
        except BaseException as exc:
            self.budget.answered(kind, None, None)
            if not isinstance(exc, KeyboardInterrupt):
                self.budget.trouble(kind, None, None, resent=_resent(http.method, kind, None))
            raise
        headers = response.http_response.headers
        left = headers.get(HEADER + kind)
        retry_after = (
            get_retry_after(response) if response.http_response.status_code == 429 else None
        )
        try:
            remaining = int(left) if left is not None else None
        except ValueError:
            remaining = None
        self.budget.answered(kind, remaining, retry_after)
        status = response.http_response.status_code
        if status in _RETRIED:
            mine = status == 429 and remaining is not None
            self.budget.trouble(
                kind,
                _RETRIED[status],
                retry_after,
                subscription=mine,
                resent=_resent(http.method, kind, status),
            )
        elif status < 400:
            self.budget.recovered()
        return response


def _resent(method: str, kind: str, status: int | None) -> bool:
    """Whether azure-core's RetryPolicy sends the request again: a POST only after 500, 503
    or 504, unless it is one of the read POSTs coreos-lab lets it resend (READ_POST in
    azure/preflight/reads.py)."""
    return method.upper() != "POST" or kind == "reads" or status in (500, 503, 504)


class PacedPolling(ARMPolling):
    """ARM's polling, at the pace the budget allows rather than each answer's Retry-After.

    An operation's Retry-After (10 to 17 s on Azure) is longer than most network operations
    take; the budget's pace keeps polls within the read bucket however many operations run,
    and a 429 still makes every request wait its Retry-After (BudgetPolicy, RetryPolicy).
    """

    def __init__(self, budget: Budget, interval: float, **kwargs: Any) -> None:
        super().__init__(interval, **kwargs)
        self._budget = budget

    def run(self) -> None:
        with self._budget.polling():
            super().run()

    def _extract_delay(self) -> float:
        return self._budget.poll_delay(self._timeout)


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path
