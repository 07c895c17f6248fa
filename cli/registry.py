"""``mammocad registry``: versions, model cards, promotion, rollback, audit, archives, API keys.

Every change is recorded in the audit log with ``--actor`` (default: the login name) and
``--reason``. The registry database is ``$MAMMOCAD_REGISTRY_URL`` (default SQLite
``$MAMMOCAD_HOME/registry.db``); artifacts go to the BentoML model store (``$BENTOML_HOME``)
and, when ``$MAMMOCAD_MODEL_STORE_URL`` names one, to the model store shared between machines.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar, cast

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape
from rich.table import Table

from mammocad.errors import MammocadError

if TYPE_CHECKING:
    from pydantic import BaseModel

    from mammocad.schemas.trust import CalibrationRecord, OodDetectorRecord
    from registry import AliasMove, ModelVersion, Registry, Scope

    Record = TypeVar("Record", bound=BaseModel)

__all__ = ["app"]

app = typer.Typer(
    help="The model registry: versions, model cards, aliases, gated promotion, audit.",
    no_args_is_help=True,
)
keys_app = typer.Typer(help="API keys for the gateway's endpoints.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")

console = Console()

Actor = Annotated[str, typer.Option(help="who does this (audited)")]
Reason = Annotated[str, typer.Option(help="why (audited)")]
Name = Annotated[str, typer.Argument(help="registered model name, e.g. classifier")]
Version = Annotated[str, typer.Argument(help="version number or alias, e.g. 3 or production")]


class CardFormat(StrEnum):
    """Model card output formats."""

    MARKDOWN = "markdown"
    HTML = "html"
    JSON = "json"


@app.callback()
def main(
    ctx: typer.Context,
    url: Annotated[
        str | None,
        typer.Option(
            envvar="MAMMOCAD_REGISTRY_URL", help="sqlite:///FILE or postgresql+psycopg://"
        ),
    ] = None,
) -> None:
    """The registry database to use."""
    ctx.obj = url


@contextmanager
def _registry(ctx: typer.Context) -> Iterator[Registry]:
    """The open registry; domain errors become one red line and exit status 2."""
    from registry import PromotionRefusedError, Registry

    try:
        with Registry(ctx.obj) as registry:
            yield registry
    except PromotionRefusedError as refused:
        console.print(f"[red]refused[/red]: {escape(refused.detail.split(':')[0])}; unmet gates:")
        for gate in refused.unmet:
            hint = " (--force with --reason overrides this one)" if gate.overridable else ""
            console.print(f"  • {gate.gate}: {escape(gate.reason)}{hint}", highlight=False)
        raise typer.Exit(code=2) from refused
    except MammocadError as error:
        console.print(f"[red]error[/red] ({error.code}): {escape(error.detail)}", highlight=False)
        raise typer.Exit(code=2) from error


def _ref(version: str) -> int | str:
    return int(version) if version.isdigit() else version


def _default_actor() -> str:
    return getpass.getuser()


# --- reading ---------------------------------------------------------------------------------


@app.command("list")
def list_models(ctx: typer.Context) -> None:
    """Every registered model, its latest version and its aliases."""
    with _registry(ctx) as registry:
        models = registry.list_models()
    table = Table(title="registered models")
    for column in ("name", "task", "latest", "aliases", "description"):
        table.add_column(column)
    for model in models:
        aliases = ", ".join(f"{a} -> {v}" for a, v in sorted(model.aliases.items()))
        table.add_row(model.name, model.task, str(model.latest_version), aliases, model.description)
    console.print(table)


@app.command()
def show(ctx: typer.Context, name: Name) -> None:
    """A model's versions: who registered them, aliases, evaluations, readiness for production."""
    from registry.card.compose import missing_authored

    with _registry(ctx) as registry:
        model, versions = registry.get_model(name), registry.list_versions(name)
    table = Table(title=f"{model.name} ({model.task})")
    for column in (
        "version",
        "registered",
        "by",
        "aliases",
        "primary metric",
        "card",
        "cal",
        "ood",
    ):
        table.add_column(column)
    for v in versions:
        metrics = "; ".join(
            f"{e.primary_metric} {e.primary.value:.3f} on {e.data_name}" for e in v.evaluations
        )
        table.add_row(
            str(v.version),
            v.created_at.strftime("%Y-%m-%d %H:%M"),
            v.created_by,
            ", ".join(v.aliases),
            metrics or "-",
            "complete" if not missing_authored(v.card) else "incomplete",
            "yes" if v.calibration else "-",
            "yes" if v.ood_detector else "-",
        )
    console.print(table)


@app.command()
def card(
    ctx: typer.Context,
    name: Name,
    version: Version,
    format: Annotated[CardFormat, typer.Option("--format", "-f")] = CardFormat.MARKDOWN,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="write to a file")] = None,
) -> None:
    """The model card of a version (Markdown, a standalone HTML page, or JSON)."""
    from registry.card.render import to_html, to_markdown

    with _registry(ctx) as registry:
        model_card = registry.card(name, _ref(version))
    text = {
        CardFormat.MARKDOWN: to_markdown,
        CardFormat.HTML: to_html,
        CardFormat.JSON: lambda c: c.model_dump_json(indent=2),
    }[format](model_card)
    if out is not None:
        out.write_text(text, encoding="utf-8")
        console.print(f"card written to {out}")
    elif format is CardFormat.MARKDOWN and sys.stdout.isatty():
        console.print(Markdown(text))
    else:
        typer.echo(text)


@app.command()
def audit(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="one model (default: everything)")] = None,
    limit: Annotated[int, typer.Option(min=1, help="newest entries shown")] = 50,
) -> None:
    """The audit log, oldest first: who changed what, when, why, from what to what."""
    with _registry(ctx) as registry:
        entries = registry.audit(name, limit)
    table = Table(title="audit log")
    for column in ("#", "time (UTC)", "actor", "action", "model", "alias", "reason", "change"):
        table.add_column(column, overflow="fold")
    for e in entries:
        table.add_row(
            str(e.id),
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            e.actor,
            e.action,
            f"{e.model_name or ''} {e.version or ''}".strip(),
            e.alias or "",
            e.reason,
            _change(e.before, e.after),
        )
    console.print(table)


def _change(before: dict[str, object] | None, after: dict[str, object] | None) -> str:
    if before is not None and set(before) == {"version"} and after is not None:
        return f"version {before['version']} -> {after['version']}"
    changed = sorted(k for k in (after or {}) if (before or {}).get(k) != (after or {}).get(k))
    return ", ".join(changed)


# --- changing --------------------------------------------------------------------------------


def _registered(version: ModelVersion) -> None:
    console.print(
        f"registered [bold]{version.model_name}[/bold] version {version.version} "
        f"({version.task}) as {version.artifact_tag}, {version.artifact_sha256}",
        highlight=False,
    )


@app.command()
def register(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="trained model folder (model.pt + metadata.json)")],
    name: Annotated[str, typer.Option(help="registered model name, e.g. classifier")],
    actor: Actor = "",
    description: Annotated[str, typer.Option(help="of the model, on first registration")] = "",
    reason: Reason = "",
) -> None:
    """Register a trained model folder as the next version of NAME."""
    with _registry(ctx) as registry:
        _registered(
            registry.register(
                folder,
                name,
                actor=actor or _default_actor(),
                description=description,
                reason=reason,
            )
        )


@app.command("evaluate-attach")
def evaluate_attach(
    ctx: typer.Context,
    name: Name,
    version: Version,
    report: Annotated[Path, typer.Argument(help="report.json of mammocad evaluate")],
    actor: Actor = "",
    reason: Reason = "",
) -> None:
    """Attach an evaluation report (one per data set, keyed by name and fingerprint)."""
    with _registry(ctx) as registry:
        updated = registry.attach_evaluation(
            name, _ref(version), report, actor=actor or _default_actor(), reason=reason
        )
    latest = updated.evaluations[-1]
    console.print(
        f"{name} version {updated.version}: {latest.primary_metric} "
        f"{latest.primary.value:.4f} on {latest.data_name}",
        highlight=False,
    )


@app.command("attach-calibration")
def attach_calibration(
    ctx: typer.Context,
    name: Name,
    version: Version,
    record: Annotated[Path, typer.Argument(help="calibration record (JSON)")],
    actor: Actor = "",
    reason: Reason = "",
) -> None:
    """Attach (or replace) a version's calibration record."""
    from mammocad.schemas.trust import CalibrationRecord

    _attach_record(ctx, name, version, record, CalibrationRecord, actor, reason)
    console.print(f"calibration attached to {name} {version}")


@app.command("attach-ood")
def attach_ood(
    ctx: typer.Context,
    name: Name,
    version: Version,
    record: Annotated[Path, typer.Argument(help="OOD detector record (JSON)")],
    actor: Actor = "",
    reason: Reason = "",
) -> None:
    """Attach (or replace) a version's OOD detector record."""
    from mammocad.schemas.trust import OodDetectorRecord

    _attach_record(ctx, name, version, record, OodDetectorRecord, actor, reason)
    console.print(f"OOD detector attached to {name} {version}")


def _attach_record(
    ctx: typer.Context,
    name: str,
    version: str,
    path: Path,
    kind: type[CalibrationRecord] | type[OodDetectorRecord],
    actor: str,
    reason: str,
) -> None:
    """Read ``path`` as a ``kind`` record and attach it to the version (audited)."""
    with _registry(ctx) as registry:
        parsed = _parse(kind, path)
        registry.attach_record(
            name, _ref(version), parsed, actor=actor or _default_actor(), reason=reason
        )


@app.command("attach-ood-eval")
def attach_ood_eval(
    ctx: typer.Context,
    name: Name,
    version: Version,
    report: Annotated[Path, typer.Argument(help="ood-eval.json written by mammocad ood-eval")],
    actor: Actor = "",
    reason: Reason = "",
) -> None:
    """Add an ``ood-eval`` report (AUROC of the version's own detector per far and near set) to
    the version's OOD detector record, and so to its model card."""
    from registry.shift_study import PREFIX

    with _registry(ctx) as registry:
        updated = registry.attach_ood_evaluation(
            name, _ref(version), report, actor=actor or _default_actor(), reason=reason
        )
    assert updated.ood_detector is not None  # attach_ood_evaluation refuses versions without
    added = [e for e in updated.ood_detector.shift_evaluations if e.shift_set.startswith(PREFIX)]
    console.print(f"{len(added)} shifted sets added to the OOD record of {name} {version}")


@app.command("edit-card")
def edit_card(
    ctx: typer.Context,
    name: Name,
    version: Version,
    edit: Annotated[Path, typer.Argument(help="JSON with the authored sections to replace")],
    actor: Actor = "",
    reason: Reason = "",
) -> None:
    """Replace authored model card sections, from a JSON file.

    Keys: owners, license, primary_users, out_of_scope_uses, relevant_factors,
    ethical_considerations, caveats_and_recommendations (lists of strings, license a string).
    """
    from registry import CardEdit

    with _registry(ctx) as registry:
        updated = registry.edit_card(
            name,
            _ref(version),
            _parse(CardEdit, edit),
            actor=actor or _default_actor(),
            reason=reason,
        )
    console.print(f"card of {name} version {updated.version} updated")


def _parse(kind: type[Record], path: Path) -> Record:
    """A JSON file as ``kind``; a bad file is invalid input (one red line, not a traceback)."""
    from pydantic import ValidationError

    from mammocad.errors import InvalidInputError

    try:
        return kind.model_validate_json(path.read_bytes())
    except (OSError, ValidationError) as error:
        raise InvalidInputError(f"{path} is not a valid {kind.__name__}: {error}") from error


def _moved(move: AliasMove) -> None:
    if not move.changed:
        console.print(f"{move.model_name} {move.alias!r} already points at version {move.after}")
        return
    console.print(
        f"{move.model_name} [bold]{move.alias}[/bold]: version {move.before} -> {move.after}",
        highlight=False,
    )
    for gate in move.overridden_gates:
        console.print(f"  [yellow]forced past[/yellow]: {escape(gate)}", highlight=False)


@app.command()
def promote(
    ctx: typer.Context,
    name: Name,
    version: Annotated[int, typer.Argument(help="version number")],
    alias: Annotated[str, typer.Option(help="production, staging or any name")] = "production",
    force: Annotated[
        bool, typer.Option(help="override the comparison with production (needs --reason)")
    ] = False,
    actor: Actor = "",
    reason: Reason = "",
) -> None:
    """Point an alias at a version (production only through the promotion gates).

    Production needs a complete card, calibration, an OOD detector, an evaluation, and metrics
    no worse than the current production version's on the same data set.
    """
    with _registry(ctx) as registry:
        _moved(
            registry.set_alias(
                name,
                alias,
                version,
                actor=actor or _default_actor(),
                reason=reason,
                force=force,
            )
        )


@app.command()
def rollback(
    ctx: typer.Context,
    name: Name,
    alias: Annotated[str, typer.Option(help="the alias to move back")] = "production",
    actor: Actor = "",
    reason: Reason = "",
) -> None:
    """Move an alias back to the version it pointed at before (from the audit log)."""
    with _registry(ctx) as registry:
        _moved(registry.rollback(name, alias, actor=actor or _default_actor(), reason=reason))


@app.command("export")
def export_version(
    ctx: typer.Context,
    name: Name,
    version: Version,
    out: Annotated[Path, typer.Option("--out", "-o", help="archive to write (.tar.gz)")],
) -> None:
    """Write a version (artifact, metadata, evaluations, calibration, OOD, card) to an archive."""
    with _registry(ctx) as registry:
        path = registry.export_version(name, _ref(version), out)
    console.print(f"exported {name} {version} to {path}")


@app.command("export-torchserve")
def export_torchserve_archive(
    ctx: typer.Context,
    name: Name,
    version: Version,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="folder to write <name>-v<version>.mar into")
    ] = Path("."),
) -> None:
    """Write a version as a TorchServe model archive (.mar) served by mammocad's own handler
    (same ingest, same answer fields). TorchServe is in limited maintenance: BentoML stays the
    default; this is for sites that run TorchServe, and for the side-by-side benchmark."""
    from serving.torchserve_export import export_torchserve

    with _registry(ctx) as registry:
        path = export_torchserve(registry, name, _ref(version), out)
    console.print(f"exported {name} {version} to {path}")


@app.command("import")
def import_version(
    ctx: typer.Context,
    archive: Annotated[Path, typer.Argument(help="archive written by mammocad registry export")],
    name: Annotated[
        str | None, typer.Option(help="register under this name (default: the exported one)")
    ] = None,
    actor: Actor = "",
    reason: Reason = "",
) -> None:
    """Register an exported version as the next version of its model."""
    with _registry(ctx) as registry:
        _registered(
            registry.import_version(
                archive, actor=actor or _default_actor(), name=name, reason=reason
            )
        )


# --- API keys --------------------------------------------------------------------------------


@keys_app.command("create")
def create_key(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="who or what will use the key, e.g. ci-bot")],
    scopes: Annotated[
        str,
        typer.Option(
            help="comma-separated: inference, models:read, audit:read, models:write, models:promote"
        ),
    ] = "models:write",
    expires_in_days: Annotated[
        float | None, typer.Option(help="the key stops working this many days from now")
    ] = None,
    actor: Actor = "",
) -> None:
    """Create an API key; its token is printed once and never stored."""
    with _registry(ctx) as registry:
        key, token = registry.create_key(
            name,
            # Unchecked here on purpose: create_key refuses an unknown scope (invalid-scope).
            cast("list[Scope]", [s.strip() for s in scopes.split(",") if s.strip()]),
            actor=actor or _default_actor(),
            expires_in=None if expires_in_days is None else timedelta(days=expires_in_days),
        )
    until = f", expires {key.expires_at:%Y-%m-%d %H:%M} UTC" if key.expires_at else ""
    console.print(
        f"key {key.key_id} ({', '.join(key.scopes)}) for {key.name}{until}; token (shown once):"
    )
    typer.echo(token)


@keys_app.command("list")
def list_keys(ctx: typer.Context) -> None:
    """Every API key (never their tokens)."""
    with _registry(ctx) as registry:
        keys = registry.list_keys()
    table = Table(title="API keys")
    for column in ("key id", "name", "scopes", "created", "by", "expires", "revoked"):
        table.add_column(column)
    for key in keys:
        table.add_row(
            key.key_id,
            key.name,
            ", ".join(key.scopes),
            key.created_at.strftime("%Y-%m-%d %H:%M"),
            key.created_by,
            key.expires_at.strftime("%Y-%m-%d %H:%M") if key.expires_at else "never",
            key.revoked_at.strftime("%Y-%m-%d %H:%M") if key.revoked_at else "",
        )
    console.print(table)


@keys_app.command("revoke")
def revoke_key(
    ctx: typer.Context,
    key_id: Annotated[str, typer.Argument(help="the key id (from keys list)")],
    actor: Actor = "",
    reason: Reason = "",
) -> None:
    """Revoke an API key at once."""
    with _registry(ctx) as registry:
        registry.revoke_key(key_id, actor=actor or _default_actor(), reason=reason)
    console.print(f"key {key_id} revoked")
