"""The ``coreos-lab emulator`` command. Imports only the stdlib and typer at module level."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .catalog import DEFAULT_FAMILY_CORES, DEFAULT_REGIONAL_CORES
from .throttling import DEFAULT_BUCKETS

THROTTLING = ", ".join(f"{k} {size:g} at {rate:g}/s" for k, (size, rate) in DEFAULT_BUCKETS.items())


def emulator(
    port: Annotated[
        int,
        typer.Option(help="Port on 127.0.0.1 to listen on; 0 picks a free one.", min=0, max=65535),
    ] = 8443,
    state_dir: Annotated[
        Path | None,
        typer.Option(
            help="Folder for state.json, certificates and connection.json "
            "[default: $COREOS_LAB_EMULATOR_DIR or ~/.local/state/coreos-lab/emulator]",
            show_default=False,
        ),
    ] = None,
    latency_scale: Annotated[
        float,
        typer.Option(
            help="Multiply every emulated duration: 1 is close to Azure, 0.01 for tests.", min=0.0
        ),
    ] = 1.0,
    seed: Annotated[int, typer.Option(help="Seed for latency jitter and faults.")] = 0,
    fault_rate: Annotated[
        float,
        typer.Option(
            help="Share of ARM requests answered 429, 500 or 503 (split evenly).", min=0.0, max=1.0
        ),
    ] = 0.0,
    fault_throttled: Annotated[
        float | None,
        typer.Option(help="Share of requests answered 429 with Retry-After.", min=0.0, max=1.0),
    ] = None,
    fault_server_error: Annotated[
        float | None, typer.Option(help="Share of requests answered 500.", min=0.0, max=1.0)
    ] = None,
    fault_unavailable: Annotated[
        float | None, typer.Option(help="Share of requests answered 503.", min=0.0, max=1.0)
    ] = None,
    fault_dropped: Annotated[
        float,
        typer.Option(
            help="Share of requests whose connection is dropped unanswered.", min=0.0, max=1.0
        ),
    ] = 0.0,
    fault_lro_failed: Annotated[
        float,
        typer.Option(help="Share of long-running operations that end Failed.", min=0.0, max=1.0),
    ] = 0.0,
    throttling: Annotated[
        bool,
        typer.Option(help=f"ARM token-bucket throttling ({THROTTLING})."),
    ] = True,
    vcpu_quota: Annotated[
        int | None,
        typer.Option(
            help="Total regional vCPU limit in every location "
            f"[default: {DEFAULT_REGIONAL_CORES}].",
            min=0,
        ),
    ] = None,
    family_quota: Annotated[
        int | None,
        typer.Option(
            help=f"vCPU limit of each VM family [default: {DEFAULT_FAMILY_CORES}].", min=0
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(help="JSON file with more settings, as accepted by PUT /_emulator/config."),
    ] = None,
) -> None:
    """Run a local Azure Resource Manager emulator over HTTPS, in the foreground.

    It serves the part of ARM that coreos-lab uses (resource groups, NSGs, VNets, public IPs,
    NICs, storage accounts, VMs, quotas, VM sizes, Flatcar images), with long-running operations,
    ARM's error answers, throttling and optional faults, so that you can try coreos-lab, and test
    it, without an Azure account. State is kept in the state folder and survives a restart.

    \b
    Start it:
        coreos-lab emulator                      # https://127.0.0.1:8443, real-time latencies
        coreos-lab emulator --latency-scale 0.01 # 100x faster, for tests

    \b
    Point coreos-lab at it (in another terminal):
        coreos-lab up --cloud emulator --bootstrap static --ssh-from 203.0.113.0/24

    \b
    Point the Azure SDK at it (values from <state-dir>/connection.json):
        from coreos_lab.emulator.client import load_connection
        c = load_connection()
        client = NetworkManagementClient(c.credential(), c.subscription_id,
            base_url=c.endpoint, credential_scopes=["https://management.azure.com/.default"],
            connection_verify=c.ca_cert, polling_interval=1)

    Every ARM request needs the header 'Authorization: Bearer <token from connection.json>'.
    The admin API at <endpoint>/_emulator/ (requests, state, config, reset) needs the same token.
    Stop with Ctrl-C.
    """
    from .client import default_state_dir
    from .faults import FaultRates
    from .runtime import Options, load_config_file, run

    share = fault_rate / 3
    rates = FaultRates(
        throttled=share if fault_throttled is None else fault_throttled,
        server_error=share if fault_server_error is None else fault_server_error,
        unavailable=share if fault_unavailable is None else fault_unavailable,
        dropped=fault_dropped,
        lro_failed=fault_lro_failed,
    )
    try:
        rates.check()
    except ValueError as exc:
        typer.echo(f"error: {exc} (--fault-rate, --fault-* and --fault-dropped).", err=True)
        raise typer.Exit(2) from None
    try:
        settings = load_config_file(config) if config else {}
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    quotas = dict(settings.get("quotas") or {})
    if vcpu_quota is not None:
        quotas["cores"] = vcpu_quota
    if family_quota is not None:
        quotas["*"] = family_quota
    if quotas:
        settings["quotas"] = {"cores": DEFAULT_REGIONAL_CORES, "*": DEFAULT_FAMILY_CORES, **quotas}
    options = Options(
        port=port,
        state_dir=(state_dir or default_state_dir()).expanduser().resolve(),
        latency_scale=latency_scale,
        seed=seed,
        faults=rates,
        throttling=throttling,
        config=settings,
    )
    code = run(options)
    if code:
        raise typer.Exit(code)
