"""A TorchServe 0.12 process on loopback serving exported archives (tests and the benchmark).

TorchServe is a Java frontend that starts Python workers running the archive's handler; it is
started in the foreground in its own session (``stop`` reaches the workers), bound to 127.0.0.1
on free ports, without token auth and without config snapshots (``--ncs``), and from this
project's Python (the handler imports mammocad), ready once every model has a READY worker.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from serving.processes import ServiceStartError, free_port

__all__ = ["TorchServe", "running_torchserve", "torchserve_binary"]

_BIN = Path(sys.executable).parent
_LOG_TAIL_CHARS = 3000


@dataclass(frozen=True)
class TorchServe:
    """A running TorchServe: its inference URL and its process (the session leader)."""

    url: str
    pid: int

    def predictions(self, model: str) -> str:
        """``POST`` the image bytes here to get ``model``'s answer."""
        return f"{self.url}/predictions/{model}"


def torchserve_binary() -> str | None:
    """The ``torchserve`` launcher of this environment, if it and Java are installed."""
    if shutil.which("java") is None:
        return None
    return shutil.which("torchserve", path=str(_BIN))


@contextlib.contextmanager
def running_torchserve(
    store: Path,
    models: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    ready_timeout_s: float = 180.0,
) -> Iterator[TorchServe]:
    """TorchServe serving ``models`` (archive stems in ``store``), one worker each; stopped,
    workers included, when the block ends.

    Raises:
        ServiceStartError: TorchServe or Java is missing, it exited, or was not ready in time.
    """
    binary = torchserve_binary()
    if binary is None:
        raise ServiceStartError("TorchServe needs Java 17 and the torchserve package")
    root = store.parent
    inference, management, metrics = free_port(), free_port(), free_port()
    config = root / "torchserve.properties"
    config.write_text(
        f"inference_address=http://127.0.0.1:{inference}\n"
        f"management_address=http://127.0.0.1:{management}\n"
        f"metrics_address=http://127.0.0.1:{metrics}\n"
        "default_workers_per_model=1\n"
        "install_py_dep_per_model=false\n"
        "disable_token_authorization=true\n",
        encoding="utf-8",
    )
    log_path = root / "torchserve.log"
    command = [
        *(binary, "--start", "--foreground", "--ncs", "--disable-token-auth"),
        *("--model-store", str(store), "--ts-config", str(config), "--models"),
        *(f"{model}.mar" for model in models),
    ]
    environment = {**os.environ, **(env or {}), "PATH": f"{_BIN}:{os.environ['PATH']}"}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=root,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = TorchServe(f"http://127.0.0.1:{inference}", process.pid)
    try:
        _wait_until_ready(served, management, models, process, log_path, ready_timeout_s)
        yield served
    finally:
        _stop(process)


def _wait_until_ready(
    served: TorchServe,
    management: int,
    models: Sequence[str],
    process: subprocess.Popen[bytes],
    log_path: Path,
    timeout_s: float,
) -> None:
    deadline = time.monotonic() + timeout_s
    with httpx.Client(timeout=2.0) as client:
        while True:
            if process.poll() is not None:
                raise ServiceStartError(f"TorchServe exited: {_tail(log_path)}")
            with contextlib.suppress(httpx.HTTPError, KeyError, IndexError, ValueError):
                described = [
                    client.get(f"http://127.0.0.1:{management}/models/{m}").json()[0]
                    for m in models
                ]
                if all(
                    any(worker["status"] == "READY" for worker in model["workers"])
                    for model in described
                ):
                    return
            if time.monotonic() > deadline:
                raise ServiceStartError(
                    f"TorchServe not ready in {timeout_s:.0f} s: {_tail(log_path)}"
                )
            time.sleep(0.5)


def _stop(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _tail(log_path: Path) -> str:
    return log_path.read_text(encoding="utf-8", errors="replace")[-_LOG_TAIL_CHARS:]
