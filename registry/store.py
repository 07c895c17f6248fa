"""The SQLAlchemy store: every read and every audited write of the registry.

Each write is ONE transaction that also appends its audit entry, so a change and its audit entry
exist together or not at all (a crash half-way leaves the previous state). Writers are serialised
per model: on PostgreSQL by locking the registered model's row (``SELECT ... FOR UPDATE``) before
reading anything they will change, on SQLite by the write lock ``BEGIN IMMEDIATE`` takes. Checks
that must see the state they guard (promotion gates) run inside that same transaction, so no
other promotion can slip in between a check and the move it allows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Engine, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from mammocad.errors import ConflictError, NotFoundError
from mammocad.schemas.artifact import Task, TrainingMetadata
from mammocad.schemas.trust import CalibrationRecord, OodDetectorRecord
from registry.card.schema import AuthoredCard, CardEdit
from registry.convert import (
    audit_entity,
    dump_record,
    evaluation_row,
    key_entity,
    model_entity,
    version_entity,
)
from registry.database import reading, writing
from registry.entities import ApiKey, AuditEntry, ModelVersion, RegisteredModel, Scope
from registry.evaluation import EvaluationRecord
from registry.history import Action, rollback_target
from registry.orm import AliasRow, ApiKeyRow, AuditRow, ModelRow, VersionRow, utc_now

__all__ = [
    "AliasCheck",
    "AliasMove",
    "NewVersion",
    "SqlStore",
    "VersionAction",
    "VersionRef",
    "append_audit",
]

AliasCheck = Callable[[ModelVersion, ModelVersion | None], list[str]]
"""Called with (candidate, current target) while the model is locked; raises to refuse the move,
returns the gates it let the move override (recorded in the audit entry)."""

VersionRef = int | str
"""A version number, or an alias naming one."""

VersionAction = Literal["version.register", "version.import"]


@dataclass(frozen=True)
class AliasMove:
    """What an alias move did."""

    model_name: str
    alias: str
    before: int | None
    after: int
    overridden_gates: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """False when the alias already pointed at the version (nothing was written)."""
        return self.before != self.after


@dataclass(frozen=True)
class NewVersion:
    """Everything a new version is registered with, except its number and artifact tag (which
    are decided under the model's lock)."""

    model_name: str
    task: Task
    description: str
    files: dict[str, str]
    artifact_sha256: str
    training: TrainingMetadata
    card: AuthoredCard = field(default_factory=AuthoredCard)
    evaluations: list[EvaluationRecord] = field(default_factory=list)
    calibration: CalibrationRecord | None = None
    ood_detector: OodDetectorRecord | None = None


def append_audit(
    session: Session,
    *,
    actor: str,
    action: Action,
    model_name: str | None = None,
    version: int | None = None,
    alias: str | None = None,
    reason: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add an audit entry to the transaction of ``session`` (the only way entries are made)."""
    session.add(
        AuditRow(
            at=utc_now(),
            actor=actor,
            action=action,
            model_name=model_name,
            version=version,
            alias=alias,
            reason=reason,
            before=before,
            after=after,
        )
    )


class SqlStore:
    """Registry persistence on one SQLAlchemy engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # --- reads -----------------------------------------------------------------------------

    def list_models(self) -> list[RegisteredModel]:
        """Every registered model, by name."""
        with reading(self._engine) as session:
            rows = session.scalars(select(ModelRow).order_by(ModelRow.name))
            return [model_entity(row) for row in rows]

    def get_model(self, name: str) -> RegisteredModel:
        """One registered model. Raises NotFoundError."""
        with reading(self._engine) as session:
            return model_entity(_model_row(session, name))

    def list_versions(self, name: str) -> list[ModelVersion]:
        """Every version of a model, oldest first. Raises NotFoundError."""
        with reading(self._engine) as session:
            model = _model_row(session, name)
            return [version_entity(model, row) for row in model.versions]

    def get_version(self, name: str, ref: VersionRef) -> ModelVersion:
        """A version by number or alias. Raises NotFoundError."""
        with reading(self._engine) as session:
            model = _model_row(session, name)
            return version_entity(model, _version_row(model, ref))

    def audit(self, model_name: str | None = None, limit: int | None = None) -> list[AuditEntry]:
        """Audit entries, oldest first: all, or one model's; ``limit`` keeps the newest."""
        with reading(self._engine) as session:
            query = select(AuditRow).order_by(AuditRow.id.desc())
            if model_name is not None:
                query = query.where(AuditRow.model_name == model_name)
            if limit is not None:
                query = query.limit(limit)
            return [audit_entity(row) for row in reversed(session.scalars(query).all())]

    def list_keys(self) -> list[ApiKey]:
        """Every API key (revoked ones included), oldest first."""
        with reading(self._engine) as session:
            rows = session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.id))
            return [key_entity(row) for row in rows]

    def find_key(self, key_id: str) -> tuple[ApiKey, str] | None:
        """A key and its stored token sha256, or None."""
        with reading(self._engine) as session:
            row = session.scalars(select(ApiKeyRow).where(ApiKeyRow.key_id == key_id)).first()
            return None if row is None else (key_entity(row), row.token_sha256)

    # --- writes ----------------------------------------------------------------------------

    def add_version(
        self,
        new: NewVersion,
        *,
        stage: Callable[[int], str],
        actor: str,
        action: VersionAction,
        reason: str = "",
    ) -> ModelVersion:
        """Register a version under the next number, creating the model on first use.

        Args:
            stage: called with the new number while the model is locked; puts the artifact in
                place and returns its tag (if the transaction then fails, undoing that is the
                caller's job).

        Raises:
            ConflictError: the model exists with another task.
        """
        with writing(self._engine) as session:
            model = _lock_or_create_model(session, new, actor)
            number = 1 + (
                session.scalar(
                    select(func.max(VersionRow.version)).where(VersionRow.model_id == model.id)
                )
                or 0
            )
            row = VersionRow(
                model=model,
                version=number,
                artifact_tag=stage(number),
                artifact_sha256=new.artifact_sha256,
                files=new.files,
                training_metadata=new.training.model_dump(mode="json"),
                card=new.card.model_dump(mode="json"),
                calibration=dump_record(new.calibration),
                ood_detector=dump_record(new.ood_detector),
                created_at=utc_now(),
                created_by=actor,
            )
            session.add(row)
            for record in new.evaluations:
                row.evaluations.append(evaluation_row(record, actor))
            session.flush()
            append_audit(
                session,
                actor=actor,
                action=action,
                model_name=model.name,
                version=number,
                reason=reason,
                after={"artifact_tag": row.artifact_tag, "artifact_sha256": new.artifact_sha256},
            )
            return version_entity(model, row)

    def attach_evaluation(
        self, name: str, ref: VersionRef, record: EvaluationRecord, *, actor: str, reason: str = ""
    ) -> ModelVersion:
        """Add an evaluation on a data set the version has no evaluation on yet.

        Raises:
            NotFoundError, ConflictError: another task, or that data set is already evaluated.
        """
        with writing(self._engine) as session:
            model = _locked_model(session, name)
            row = _version_row(model, ref)
            if record.task != model.task:
                raise ConflictError(f"a {record.task} report cannot evaluate {name} ({model.task})")
            key = (record.data_name, record.data_fingerprint)
            if any((e.data_name, e.data_fingerprint) == key for e in row.evaluations):
                raise ConflictError(
                    f"{name} version {row.version} already has an evaluation on {record.data_name}"
                    f" ({record.data_fingerprint}); evaluations are never replaced",
                    code="evaluation-exists",
                )
            row.evaluations.append(evaluation_row(record, actor))
            session.flush()
            append_audit(
                session,
                actor=actor,
                action="evaluation.attach",
                model_name=name,
                version=row.version,
                reason=reason,
                after={
                    "data_name": record.data_name,
                    "data_fingerprint": record.data_fingerprint,
                    record.primary_metric: record.primary.value,
                },
            )
            return version_entity(model, row)

    def set_record(
        self,
        name: str,
        ref: VersionRef,
        record: CalibrationRecord | OodDetectorRecord,
        *,
        actor: str,
        reason: str = "",
    ) -> ModelVersion:
        """Attach (or replace) the version's calibration or OOD detector record."""
        with writing(self._engine) as session:
            model = _locked_model(session, name)
            row = _version_row(model, ref)
            calibration = isinstance(record, CalibrationRecord)
            column = "calibration" if calibration else "ood_detector"
            action: Action = "calibration.attach" if calibration else "ood.attach"
            before = getattr(row, column)
            setattr(row, column, dump_record(record))
            append_audit(
                session,
                actor=actor,
                action=action,
                model_name=name,
                version=row.version,
                reason=reason,
                before=before,
                after=getattr(row, column),
            )
            session.flush()
            return version_entity(model, row)

    def edit_card(
        self, name: str, ref: VersionRef, edit: CardEdit, *, actor: str, reason: str = ""
    ) -> ModelVersion:
        """Replace the authored card fields given in ``edit``."""
        with writing(self._engine) as session:
            model = _locked_model(session, name)
            row = _version_row(model, ref)
            before = AuthoredCard.model_validate(row.card)
            after = edit.apply(before)
            row.card = after.model_dump(mode="json")
            append_audit(
                session,
                actor=actor,
                action="card.edit",
                model_name=name,
                version=row.version,
                reason=reason,
                before=before.model_dump(mode="json"),
                after=row.card,
            )
            session.flush()
            return version_entity(model, row)

    def move_alias(
        self,
        name: str,
        alias: str,
        ref: VersionRef,
        *,
        actor: str,
        reason: str = "",
        check: AliasCheck | None = None,
    ) -> AliasMove:
        """Point ``alias`` at a version; ``check`` may refuse (see :data:`AliasCheck`)."""
        with writing(self._engine) as session:
            model = _locked_model(session, name)
            target = _version_row(model, ref)
            pointer = _alias_row(model, alias)
            before = pointer.target if pointer is not None else None
            if before is not None and before.id == target.id:
                return AliasMove(name, alias, target.version, target.version)
            overridden: list[str] = []
            if check is not None:
                current = version_entity(model, before) if before is not None else None
                overridden = check(version_entity(model, target), current)
            _point(session, model, pointer, alias, target)
            append_audit(
                session,
                actor=actor,
                action="alias.set",
                model_name=name,
                version=target.version,
                alias=alias,
                reason=reason,
                before={"version": before.version if before is not None else None},
                after={"version": target.version, "overridden_gates": overridden},
            )
            previous = before.version if before is not None else None
            return AliasMove(name, alias, previous, target.version, overridden)

    def rollback_target(self, name: str, alias: str) -> int | None:
        """The version :meth:`rollback` would point ``alias`` at now (None: none earlier)."""
        with reading(self._engine) as session:
            _model_row(session, name)  # NotFoundError for an unknown model
            return _rollback_target(session, name, alias)

    def rollback(
        self,
        name: str,
        alias: str,
        *,
        actor: str,
        reason: str = "",
        check: AliasCheck | None = None,
    ) -> AliasMove:
        """Point ``alias`` back at the version it pointed at before (from the audit log);
        ``check`` may refuse, as for :meth:`move_alias`.

        Raises:
            ConflictError: the alias has no earlier version.
        """
        with writing(self._engine) as session:
            model = _locked_model(session, name)
            previous = _rollback_target(session, name, alias)
            if previous is None:
                raise ConflictError(
                    f"{name} {alias!r} has no earlier version to roll back to",
                    code="nothing-to-roll-back",
                )
            pointer = _alias_row(model, alias)
            before = pointer.target.version if pointer is not None else None
            target = _version_row(model, previous)
            if check is not None:
                current = version_entity(model, pointer.target) if pointer is not None else None
                check(version_entity(model, target), current)
            _point(session, model, pointer, alias, target)
            append_audit(
                session,
                actor=actor,
                action="alias.rollback",
                model_name=name,
                version=previous,
                alias=alias,
                reason=reason,
                before={"version": before},
                after={"version": previous},
            )
            return AliasMove(name, alias, before, previous)

    def add_key(
        self,
        key_id: str,
        name: str,
        scopes: list[Scope],
        token_sha256: str,
        *,
        actor: str,
        expires_at: datetime | None = None,
    ) -> ApiKey:
        """Store a new API key (its token's hash only)."""
        with writing(self._engine) as session:
            row = ApiKeyRow(
                key_id=key_id,
                name=name,
                token_sha256=token_sha256,
                scopes=list(scopes),
                created_at=utc_now(),
                created_by=actor,
                expires_at=expires_at,
            )
            session.add(row)
            append_audit(
                session,
                actor=actor,
                action="key.create",
                after={
                    "key_id": key_id,
                    "name": name,
                    "scopes": list(scopes),
                    "expires_at": expires_at.isoformat() if expires_at else None,
                },
            )
            session.flush()
            return key_entity(row)

    def revoke_key(self, key_id: str, *, actor: str, reason: str = "") -> ApiKey:
        """Revoke a key: it stops authenticating at once. Raises NotFoundError."""
        with writing(self._engine) as session:
            row = session.scalars(select(ApiKeyRow).where(ApiKeyRow.key_id == key_id)).first()
            if row is None:
                raise NotFoundError(f"no API key {key_id!r}", code="key-not-found")
            if row.revoked_at is None:
                row.revoked_at = utc_now()
                append_audit(
                    session,
                    actor=actor,
                    action="key.revoke",
                    reason=reason,
                    before={"key_id": key_id, "revoked": False},
                    after={"key_id": key_id, "revoked": True},
                )
            session.flush()
            return key_entity(row)


# --- locking and lookups (inside a session) --------------------------------------------------


def _model_row(session: Session, name: str) -> ModelRow:
    row = session.scalars(select(ModelRow).where(ModelRow.name == name)).first()
    if row is None:
        raise NotFoundError(f"no registered model named {name!r}", code="model-not-found")
    return row


def _rollback_target(session: Session, name: str, alias: str) -> int | None:
    history = session.scalars(
        select(AuditRow)
        .where(AuditRow.model_name == name, AuditRow.alias == alias)
        .order_by(AuditRow.id)
    )
    return rollback_target(map(audit_entity, history), alias)


def _locked_model(session: Session, name: str) -> ModelRow:
    """The model's row, locked until the transaction ends (FOR UPDATE is a no-op on SQLite,
    where BEGIN IMMEDIATE already holds the database's write lock)."""
    row = session.scalars(select(ModelRow).where(ModelRow.name == name).with_for_update()).first()
    if row is None:
        raise NotFoundError(f"no registered model named {name!r}", code="model-not-found")
    return row


def _lock_or_create_model(session: Session, new: NewVersion, actor: str) -> ModelRow:
    """Create the model unless it exists (race-free: INSERT ... ON CONFLICT DO NOTHING), then
    lock it."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    inserted = session.execute(
        dialect.insert(ModelRow)
        .values(
            name=new.model_name,
            task=new.task,
            description=new.description,
            created_at=utc_now(),
            created_by=actor,
        )
        .on_conflict_do_nothing(index_elements=["name"])
        .returning(ModelRow.id)
    ).first()
    model = _locked_model(session, new.model_name)
    if model.task != new.task:
        raise ConflictError(
            f"model {new.model_name!r} is a {model.task} model; a {new.task} version cannot be "
            "registered under it",
            code="task-mismatch",
        )
    if inserted is not None:
        append_audit(
            session,
            actor=actor,
            action="model.create",
            model_name=model.name,
            after={"task": model.task, "description": model.description},
        )
    return model


def _version_row(model: ModelRow, ref: VersionRef) -> VersionRow:
    if isinstance(ref, int) or ref.isdigit():
        number = int(ref)
        row = next((v for v in model.versions if v.version == number), None)
    else:
        pointer = _alias_row(model, ref)
        row = pointer.target if pointer is not None else None
    if row is None:
        raise NotFoundError(
            f"model {model.name!r} has no version or alias {ref!r}", code="version-not-found"
        )
    return row


def _alias_row(model: ModelRow, alias: str) -> AliasRow | None:
    return next((a for a in model.aliases if a.alias == alias), None)


def _point(
    session: Session, model: ModelRow, pointer: AliasRow | None, alias: str, target: VersionRow
) -> None:
    if pointer is None:
        session.add(AliasRow(model=model, alias=alias, target=target, updated_at=utc_now()))
    else:
        pointer.target, pointer.updated_at = target, utc_now()
    session.flush()
