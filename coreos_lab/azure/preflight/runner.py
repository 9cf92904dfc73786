"""Run the preflight: start the shared reads, run every check concurrently, settle the results.

Each check reads from Azure only (GETs, plus the storage name check, a POST that changes
nothing) and ends in one sentence that names the value, the limit and the fix. The reads
several checks share (resource SKUs, usages) start once, up front, so the whole preflight
takes about as long as its slowest check. A check whose precondition failed (no token, an
unknown location) is reported as skipped rather than failing a second time with the same cause.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, wait

from coreos_lab.azure.clients import Clients
from coreos_lab.azure.errors import describe, is_azure_error
from coreos_lab.azure.inventory import Inventory
from coreos_lab.azure.preflight.checks import Check, checks_for
from coreos_lab.azure.preflight.context import CheckFailed, Context, NotChecked
from coreos_lab.azure.preflight.reads import SharedReads, list_skus, list_usages
from coreos_lab.lab.events import EventSink, PhaseEvent, discard
from coreos_lab.lab.results import CheckResult, ImageVersions, Outcome, PreflightReport
from coreos_lab.lab.settings import FLATCAR_OFFER, LabSettings

# Every call is bounded: a check that has not answered by then fails with a sentence.
DEADLINE = 120.0


def _run_one(check: Check, ctx: Context) -> CheckResult:
    began = time.monotonic()
    try:
        message, outcome = check.run(ctx), Outcome.PASSED
    except CheckFailed as exc:
        message, outcome = str(exc), Outcome.FAILED
    except NotChecked as exc:
        message, outcome = str(exc), Outcome.SKIPPED
    except Exception as exc:
        if not is_azure_error(exc):
            raise
        target = ctx.clients.target
        message = describe(exc, check.about, target.endpoint, cloud=target.row)
        outcome = Outcome.FAILED
    return CheckResult(check.name, outcome, message, time.monotonic() - began)


def _settle(checks: list[Check], results: dict[str, CheckResult]) -> list[CheckResult]:
    """Turn failures caused by a failed precondition into 'skipped', naming the cause."""
    settled = []
    for check in checks:
        result = results[check.name]
        cause = next((n for n in check.needs if results[n].outcome is Outcome.FAILED), None)
        if result.outcome is not Outcome.PASSED and cause is not None:
            result = CheckResult(
                check.name,
                Outcome.SKIPPED,
                f"Not checked: the {cause} check failed.",
                result.seconds,
            )
        settled.append(result)
    return settled


def run_preflight(
    clients: Clients,
    settings: LabSettings,
    *,
    existing: Inventory | None = None,
    pinned: ImageVersions | None = None,
    sink: EventSink = discard,
    deadline: float = DEADLINE,
    offer: str = FLATCAR_OFFER,
    shared: SharedReads | None = None,
) -> PreflightReport:
    """Check, concurrently and without writing anything, that `up` can build ``settings``.

    ``existing`` is the lab's inventory when it exists: VMs already there need no quota, its
    storage account is not "taken", and its VMs' image versions are kept. ``pinned`` are the
    versions the lab's state file recorded; they win over 'latest'/'previous' too. ``offer``
    exists for tests of the purchase-plan path; `up` always uses the CoreVM offer. ``shared``
    lets several preflights of one command (a class's labs) read what they share once.
    """
    began = time.monotonic()
    location = settings.location
    shared = shared or SharedReads()
    pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="preflight")
    try:
        ctx = Context(
            clients,
            settings,
            existing,
            pinned,
            pool,
            # Read once per session: a class's labs share their region's answers.
            skus=pool.submit(shared.once, ("skus", location), lambda: list_skus(clients, location)),
            usages=pool.submit(
                shared.once, ("usages", location), lambda: list_usages(clients, location)
            ),
            offer=offer,
            shared=shared,
        )
        checks = checks_for(ctx)
        sink(PhaseEvent("preflight", f"Checking {len(checks)} preconditions"))
        futures = {c.name: pool.submit(_run_one, c, ctx) for c in checks}
        done, _ = wait(futures.values(), timeout=deadline)
        results: dict[str, CheckResult] = {}
        for check in checks:
            future = futures[check.name]
            if future in done:
                results[check.name] = future.result()
            else:
                results[check.name] = CheckResult(
                    check.name,
                    Outcome.FAILED,
                    f"Azure did not answer the {check.name} check within {deadline:.0f} s; "
                    "check the network and run the command again.",
                    deadline,
                )
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    report = PreflightReport(
        tuple(_settle(checks, results)),
        ctx.images[0] if ctx.images else None,
        time.monotonic() - began,
        settings.location,
        clients.subscription_id,
    )
    failed = len(report.failures)
    sink(
        PhaseEvent(
            "preflight",
            f"{len(checks)} checks passed in {report.seconds:.1f} s"
            if report.ok
            else f"{failed} of {len(checks)} checks failed",
            done=True,
            ok=report.ok,
        )
    )
    return report
