"""Start the emulator: state folder, certificates, state, settings, HTTPS listener, signals."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import signal
import ssl
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from .app import build_app
from .appstate import Emulator
from .backend import Backend
from .certs import ensure_certs
from .client import CONNECTION_FILE, Connection, EmulatorError, load_connection, write_connection
from .config import CloudConfig, EmulatorSettings
from .errors import ArmError
from .faults import FaultInjector, FaultRates
from .latency import LatencyModel
from .models import RENDERERS
from .store import StateError, Store
from .throttling import Throttler

HOST = "127.0.0.1"
LOCK_FILE = "emulator.lock"


@dataclass
class Options:
    port: int
    state_dir: Path
    latency_scale: float = 1.0
    seed: int = 0
    faults: FaultRates = field(default_factory=FaultRates)
    throttling: bool = True
    config: dict[str, Any] = field(default_factory=dict)


class AlreadyRunning(Exception):
    """Another emulator holds the state folder."""


def lock_state_dir(state_dir: Path) -> int:
    """Hold the folder's lock for this process's life (released by the kernel on exit).

    A second emulator on the same folder stops here, before it reads or writes anything, so it
    never touches the running one's state.json or connection.json.
    """
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(state_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        try:
            where = f" at {load_connection(state_dir).endpoint}"
        except EmulatorError:
            where = ""
        raise AlreadyRunning(
            f"Another emulator is already running on {state_dir}{where}: stop it, or pass "
            "another --state-dir."
        ) from None
    return fd


def build_emulator(options: Options) -> Emulator:
    """The emulator's state and settings, loaded from and saved to the state folder."""
    options.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    store = Store(options.state_dir / "state.json")
    store.save()
    settings = EmulatorSettings(
        cloud=CloudConfig(),
        latency=LatencyModel(options.latency_scale, options.seed),
        faults=FaultInjector(options.faults, options.seed),
        throttler=Throttler(options.throttling),
    )
    if options.config:
        settings.update(options.config)
    return Emulator(Backend(store, settings, RENDERERS), initial_config=settings.to_json())


def banner(connection: Connection, state_dir: Path) -> str:
    return "\n".join(
        [
            f"coreos-lab emulator listening on {connection.endpoint}",
            f"  subscription  {connection.subscription_id}",
            f"  tenant        {connection.tenant_id}",
            f"  CA cert       {connection.ca_cert}",
            f"  connection    {state_dir / CONNECTION_FILE}",
            f"  admin API     {connection.endpoint}/_emulator/ (requests, state, config, reset)",
            "Use it:  coreos-lab up --cloud emulator --bootstrap static --ssh-from 203.0.113.0/24",
            "Press Ctrl-C to stop.",
        ]
    )


async def serve(options: Options) -> None:
    emulator = build_emulator(options)
    certs = ensure_certs(options.state_dir)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certs.server_cert, certs.server_key)
    runner = web.AppRunner(build_app(emulator), access_log=None, handle_signals=False)
    await runner.setup()
    connection_path = options.state_dir / CONNECTION_FILE
    try:
        site = web.TCPSite(runner, HOST, options.port, ssl_context=context)
        await site.start()
        port = runner.addresses[0][1]
        store = emulator.backend.store
        connection = Connection(
            endpoint=f"https://{HOST}:{port}",
            ca_cert=str(certs.ca_cert.resolve()),
            subscription_id=store.subscription_id,
            tenant_id=store.tenant_id,
            token=store.token,
            pid=os.getpid(),
        )
        write_connection(options.state_dir, connection)
        print(banner(connection, options.state_dir), flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        connection_path.unlink(missing_ok=True)
        emulator.backend.store.save()
        await runner.cleanup()


def run(options: Options) -> int:
    """Run in the foreground until Ctrl-C or SIGTERM; the exit status."""
    try:
        lock = lock_state_dir(options.state_dir)
    except AlreadyRunning as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except OSError as err:  # a file where the folder should be, no permission, a full disk
        reason = (err.strerror or str(err)).lower()
        print(
            f"error: cannot use {options.state_dir} as the emulator's state folder ({reason}); "
            "pass --state-dir a folder of your own.",
            file=sys.stderr,
        )
        return 1
    try:
        asyncio.run(serve(options))
    except StateError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except ArmError as err:
        print(f"error: {err.message}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"error: cannot listen on {HOST}:{options.port}: {err.strerror}", file=sys.stderr)
        return 1
    finally:
        os.close(lock)
    return 0


def load_config_file(path: Path) -> dict[str, Any]:
    """The settings in a ``--config`` file; ValueError with one sentence if unusable."""
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise ValueError(f"Cannot read the config file {path}: {exc.strerror}.") from None
    except ValueError as exc:
        raise ValueError(f"The config file {path} is not valid JSON ({exc}).") from None
    if not isinstance(data, dict):
        raise ValueError(f"The config file {path} must hold a JSON object.")
    return data
