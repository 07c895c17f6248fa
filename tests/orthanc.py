"""A real PACS for the tests: Debian's Orthanc with its DICOMweb plugin, on a free loopback port,
with a throwaway storage folder.

Orthanc is started with its DICOM (DIMSE) server off, remote access refused and no
authentication, so nothing but this machine's own processes can reach it. Tests skip with a
clear message when the Debian packages (``orthanc``, ``orthanc-dicomweb``) are absent;
``.ci/run`` installs them.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

__all__ = ["Orthanc", "require_orthanc", "running_orthanc"]

_PLUGIN_FOLDERS = (Path("/usr/share/orthanc/plugins"), Path("/usr/lib/orthanc"))
_PLUGIN = "libOrthancDicomWeb.so"


@dataclass(frozen=True)
class Orthanc:
    """A running Orthanc: its REST root and its DICOMweb root."""

    url: str

    @property
    def dicomweb(self) -> str:
        """The DICOMweb root (QIDO-RS, WADO-RS, STOW-RS)."""
        return f"{self.url}/dicom-web"


def _binary() -> str | None:
    return shutil.which("Orthanc") or (
        "/usr/sbin/Orthanc" if Path("/usr/sbin/Orthanc").exists() else None
    )


def _plugin() -> Path | None:
    for folder in _PLUGIN_FOLDERS:
        found = sorted(folder.glob(f"{_PLUGIN}*"))
        if found:
            return found[0]
    return None


def require_orthanc() -> tuple[str, Path]:
    """Orthanc's binary and DICOMweb plugin; skips the test when either is missing."""
    binary, plugin = _binary(), _plugin()
    if binary is None or plugin is None:
        pytest.skip(
            "Orthanc or its DICOMweb plugin is not installed (Debian packages orthanc and "
            "orthanc-dicomweb; .ci/run installs them)"
        )
    return binary, plugin


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_orthanc(folder: Path, *, ready_timeout_s: float = 30.0) -> Iterator[Orthanc]:
    """Start Orthanc with its storage under ``folder``; stop it (and keep its log) on exit."""
    binary, plugin = require_orthanc()
    port = _free_port()
    config = {
        "Name": "mammocad-tests",
        "StorageDirectory": str(folder / "storage"),
        "IndexDirectory": str(folder / "storage"),
        "HttpPort": port,
        "DicomServerEnabled": False,
        "RemoteAccessAllowed": False,
        "AuthenticationEnabled": False,
        "Plugins": [str(plugin)],
        "DicomWeb": {"Enable": True, "Root": "/dicom-web/"},
    }
    config_path = folder / "orthanc.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    log = (folder / "orthanc.log").open("wb")
    process = subprocess.Popen(
        [binary, str(config_path)], stdout=log, stderr=subprocess.STDOUT, cwd=folder
    )
    orthanc = Orthanc(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + ready_timeout_s
        while True:
            if process.poll() is not None:
                pytest.fail(f"Orthanc exited early; see {folder / 'orthanc.log'}")
            try:
                if httpx.get(f"{orthanc.url}/system", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"Orthanc did not answer within {ready_timeout_s} s")
            time.sleep(0.2)
        yield orthanc
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
