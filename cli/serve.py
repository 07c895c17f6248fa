"""``mammocad serve`` (the main job behind ``make run``) and ``mammocad openapi``."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from mammocad.datasets.manifest import read_manifest
from mammocad.errors import MammocadError
from mammocad.home import DEFAULT_STATE_HOME, HOME_ENV
from mammocad.ingest.pipeline import ingest_file

if TYPE_CHECKING:
    from mammocad.schemas.artifact import Task
    from registry import Registry
    from serving.processes import ServiceProcess
    from serving.supervisor import StartService

__all__ = ["export_openapi", "serve"]

REPO_SPEC = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def bootstrap_examples(home: Path, console: Console) -> Path:
    """Make the embedded default example study once (synthetic DICOM with known lesions)."""
    from mammocad.synthetic.dataset import generate_dataset

    manifest = home / "examples" / "manifest.csv"
    if not manifest.is_file():
        console.print("Generating the embedded synthetic example study ...")
        # Seed 1 gives the two patients a normal, a benign and a malignant breast between them.
        generate_dataset(manifest.parent, n_patients=2, seed=1, image_format="dicom")
    return manifest


def _self_check(manifest: Path, console: Console) -> Path:
    """Ingest every example through the real pipeline and compare it with the ground truth.

    A disagreement (laterality misread, a lesion outside the breast region) stops the start-up:
    serving on top of a broken ingest would give wrong answers quietly.
    """
    table = Table(title="Embedded example study (synthetic, known ground truth)")
    for column in ("image", "label", "lat.", "view", "chest wall", "decided by"):
        table.add_column(column)
    records = list(read_manifest(manifest))
    for record in records:
        ingested = ingest_file(record.path)
        x0, y0, x1, y1 = ingested.breast_box
        lesion_outside = [
            box
            for box in record.boxes
            if not (x0 <= (box[0] + box[2]) / 2 <= x1 and y0 <= (box[1] + box[3]) / 2 <= y1)
        ]
        if ingested.metadata.laterality is not record.laterality or lesion_outside:
            raise SelfCheckError(
                f"{record.image_id}: laterality {ingested.metadata.laterality} (expected "
                f"{record.laterality}), lesions outside the breast region: {lesion_outside}"
            )
        table.add_row(
            record.path.name,
            record.label.value,
            ingested.metadata.laterality.value,
            ingested.metadata.view.value,
            ingested.orientation.chest_wall_side,
            ingested.orientation.source,
        )
    console.print(table)
    return records[0].path


class SelfCheckError(MammocadError):
    """The start-up self-check found ingest disagreeing with the example ground truth."""

    code = "self-check-failed"
    title = "Self-check failed"


def serve(
    host: Annotated[
        str, typer.Option(envvar="MAMMOCAD_HOST", help="interface to bind")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="MAMMOCAD_PORT", help="gateway port")] = 8000,
    classify_port: Annotated[
        int, typer.Option(envvar="MAMMOCAD_CLASSIFY_PORT", help="classification service port")
    ] = 3001,
    detect_port: Annotated[
        int, typer.Option(envvar="MAMMOCAD_DETECT_PORT", help="detection service port")
    ] = 3002,
    home: Annotated[Path, typer.Option(envvar=HOME_ENV, help="state folder")] = DEFAULT_STATE_HOME,
) -> None:
    """Start the embedded default: registry (SQLite), both BentoML task services and the gateway,
    all on ``host``; demo models are trained first if the registry has none. A task service that
    dies later is restarted (with backoff); Ctrl-C stops every process this command started."""
    import uvicorn

    from cli.demo_models import ensure_demo_models
    from registry import Registry
    from serving.supervisor import ServiceSupervisor

    console = Console()
    home = home.resolve()
    environment = _deployment_environment(home, host, classify_port, detect_port)
    os.environ.update(environment)  # the gateway (this process) reads the same settings
    try:
        example = _self_check(bootstrap_examples(home, console), console)
        with Registry() as registry:
            ensure_demo_models(registry, home, console)
            key_file = _local_key(registry, home)
    except MammocadError as error:
        console.print(f"[red]cannot start[/red] ({error.code}): {error.detail}")
        raise typer.Exit(code=1) from error
    with contextlib.ExitStack() as started:
        supervisor = started.enter_context(ServiceSupervisor(console=console))
        task_ports: tuple[tuple[Task, int], ...] = (
            ("classify", classify_port),
            ("detect", detect_port),
        )
        starts: dict[str, StartService] = {}
        for task, task_port in task_ports:
            console.print(f"starting the {task} service on {host}:{task_port} ...")
            log_path = home / "logs" / f"{task}-service.log"
            starts[task] = _starter(task, task_port, host, environment, log_path)
        try:  # the first start is fatal; once a service served, the supervisor restarts it
            supervisor.supervise_all(starts)
        except MammocadError as error:
            console.print(f"[red]cannot start[/red]: {error.detail}")
            raise typer.Exit(code=1) from error
        base = f"http://{host}:{port}"
        console.print(f"API docs: {base}/docs   readiness: {base}/v1/health/ready", soft_wrap=True)
        auth = _access_note(key_file, os.environ.get("MAMMOCAD_AUTH", "keys"))
        console.print(auth.note, soft_wrap=True)
        for route in ("classify", "detect"):
            console.print(
                f"Try:  curl {auth.curl_header}-F file=@{example} {base}/v1/{route}",
                soft_wrap=True,
            )
        uvicorn.run("api.main:create_app", factory=True, host=host, port=port, log_level="info")
    console.print("stopped the gateway and both task services")


def _starter(
    task: Task, port: int, host: str, environment: dict[str, str], log_path: Path
) -> StartService:
    """How the supervisor starts (and restarts) one task service, always on the same port and
    appending to the same log."""
    from serving.processes import SERVICES, start_service

    def start(cancel: threading.Event) -> ServiceProcess:
        return start_service(
            SERVICES[task], port, host=host, env=environment, log_path=log_path, cancel=cancel
        )

    return start


@dataclass(frozen=True)
class _Access:
    note: str
    curl_header: str


LOCAL_KEY_FILE = "api-key"


def _local_key(registry: Registry, home: Path) -> Path:
    """This machine's API key for inference and registry reads, made once and kept (owner-only)
    in the state folder, so that ``make run`` is usable at once with access control on. The
    token is written only there, never printed or logged."""
    from registry import READ_SCOPES

    path = home / LOCAL_KEY_FILE
    if not path.is_file():
        _, token = registry.create_key("local-user", list(READ_SCOPES), actor="mammocad serve")
        path.touch(mode=0o600)
        path.write_text(token + "\n", encoding="utf-8")
    return path


def _access_note(key_file: Path, auth: str) -> _Access:
    if auth == "open-loopback":
        return _Access(
            "Access: open on loopback (MAMMOCAD_AUTH=open-loopback): inference and registry "
            "reads need no key; registry writes do.",
            "",
        )
    return _Access(
        f"Access: every endpoint but health, metrics and the spec needs an API key. This "
        f"machine's key (inference, models:read, audit:read) is in {key_file}; more: "
        "`mammocad registry keys create NAME --scopes inference`.",
        f'-H "Authorization: Bearer $(cat {key_file})" ',
    )


def _deployment_environment(
    home: Path, host: str, classify_port: int, detect_port: int
) -> dict[str, str]:
    """The settings every process of this deployment shares: one state folder, one registry,
    one BentoML model store, and where the gateway finds the services."""
    (home / "logs").mkdir(parents=True, exist_ok=True)
    return {
        HOME_ENV: str(home),
        "BENTOML_HOME": os.environ.get("BENTOML_HOME") or str(home / "bentoml"),
        "BENTOML_DO_NOT_TRACK": "True",
        "MAMMOCAD_CLASSIFY_URL": f"http://{host}:{classify_port}",
        "MAMMOCAD_DETECT_URL": f"http://{host}:{detect_port}",
    }


def export_openapi(
    out: Annotated[Path, typer.Option(help="where to write the spec")] = REPO_SPEC,
    check: Annotated[bool, typer.Option(help="exit 1 if the file differs from the app")] = False,
) -> None:
    """Write the gateway's OpenAPI spec (the committed contract), or check it is up to date."""
    from api.main import create_app

    text = json.dumps(create_app().openapi(), indent=2, sort_keys=True) + "\n"
    if check:
        if not out.is_file() or out.read_text(encoding="utf-8") != text:
            typer.echo(f"{out} is out of date: run `mammocad openapi`", err=True)
            raise typer.Exit(code=1)
        typer.echo(f"{out} is up to date")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {out}")
