"""The registry's Python API: :class:`Registry` (the CLI and the gateway are thin layers on it).

It composes the store (database, audit), the artifact store (BentoML, sha256), the shared model
store that other machines fetch versions from (:mod:`registry.remote`, when configured), the
gates and the cards. Every change takes an ``actor`` (who) and a ``reason`` (why), which end up
in the audit log with the before and after state.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType

from pydantic import ValidationError

from mammocad.errors import InvalidInputError, NotFoundError, UnauthorizedError, UnavailableError
from mammocad.schemas.artifact import METADATA_FILE, WEIGHTS_FILE, TrainingMetadata
from mammocad.schemas.trust import CalibrationRecord, OodDetectorRecord
from registry.archive import ARTIFACT_FOLDER, read_archive, write_archive
from registry.artifacts import ArtifactStore, digest_of, hash_folder
from registry.bundled import bundled_records
from registry.card.compose import compose_card
from registry.card.schema import CardEdit, ModelCard
from registry.database import BUSY_TIMEOUT_S, default_url, open_engine, upgrade_schema
from registry.entities import (
    PRODUCTION,
    SCOPES,
    ApiKey,
    AuditEntry,
    ModelVersion,
    Principal,
    RegisteredModel,
    Scope,
    UnmetGate,
    check_name,
)
from registry.errors import PromotionRefusedError, TamperedArtifactError
from registry.evaluation import evaluation_from_report
from registry.gates import production_gates
from registry.keys import matches, mint_token, parse_key_id
from registry.remote import RemoteArtifacts, default_store_url
from registry.shift_study import with_ood_evaluation
from registry.store import AliasCheck, AliasMove, NewVersion, SqlStore, VersionAction, VersionRef

__all__ = ["Registry"]

logger = logging.getLogger(__name__)


class Registry:
    """A model registry on one database, one local BentoML model store and, optionally, a
    model store shared between machines.

    Args:
        url: SQLAlchemy URL; default SQLite ``registry.db`` in the state folder.
        artifact_root: BentoML model store folder; default ``$BENTOML_HOME/models``.
        model_store_url: fsspec URL of the shared model store (:mod:`registry.remote`): every
            registered version is uploaded there, and a version missing from the local store is
            fetched from there; default ``$MAMMOCAD_MODEL_STORE_URL``, unset: local only.
        busy_timeout_s: how long a write waits for another writer's lock before it fails with
            ``registry-busy`` (:data:`registry.database.BUSY_TIMEOUT_S` by default).

    Example:
        >>> with Registry() as registry:  # doctest: +SKIP
        ...     v = registry.register(Path("var/models/classifier/run"), "classifier", actor="me")
        ...     registry.open_artifact("classifier", "production")
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        artifact_root: Path | None = None,
        model_store_url: str | None = None,
        busy_timeout_s: float = BUSY_TIMEOUT_S,
    ) -> None:
        self.url = url or default_url()
        self._engine = open_engine(self.url, busy_timeout_s=busy_timeout_s)
        upgrade_schema(self._engine)
        self.store = SqlStore(self._engine)
        self._artifact_root = artifact_root
        self._artifact_store: ArtifactStore | None = None
        shared = model_store_url or default_store_url()
        self.remote = RemoteArtifacts(shared) if shared else None

    def __enter__(self) -> Registry:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database connections."""
        self._engine.dispose()

    @property
    def artifacts(self) -> ArtifactStore:
        """The BentoML store, opened on first use (read-only callers never import BentoML)."""
        if self._artifact_store is None:
            self._artifact_store = ArtifactStore(self._artifact_root)
        return self._artifact_store

    # --- reading ---------------------------------------------------------------------------

    def list_models(self) -> list[RegisteredModel]:
        """Every registered model."""
        return self.store.list_models()

    def get_model(self, name: str) -> RegisteredModel:
        """One model. Raises NotFoundError."""
        return self.store.get_model(name)

    def list_versions(self, name: str) -> list[ModelVersion]:
        """A model's versions, oldest first. Raises NotFoundError."""
        return self.store.list_versions(name)

    def get_version(self, name: str, ref: VersionRef) -> ModelVersion:
        """A version by number or alias. Raises NotFoundError."""
        return self.store.get_version(name, ref)

    def card(self, name: str, ref: VersionRef) -> ModelCard:
        """The complete model card of a version."""
        return compose_card(self.store.get_version(name, ref))

    def audit(self, model_name: str | None = None, limit: int | None = None) -> list[AuditEntry]:
        """Audit entries, oldest first (``limit``: the newest N)."""
        return self.store.audit(model_name, limit)

    def open_artifact(self, name: str, ref: VersionRef) -> Path:
        """The local folder of a version's artifact, verified against its registered sha256;
        fetched from the shared model store first if it is not in the local store.

        Raises:
            NotFoundError: ``artifact-not-found``, in neither store.
            TamperedArtifactError: a file changed, went missing or was added.
            UnavailableError: the shared model store cannot be read.
        """
        return self._local_folder(self.store.get_version(name, ref))

    def _local_folder(self, version: ModelVersion) -> Path:
        tag, files = version.artifact_tag, version.files
        if self.remote is None:
            return self.artifacts.verified_folder(tag, files)
        with self.artifacts.lock(tag):
            try:
                return self.artifacts.verified_folder(tag, files)
            except NotFoundError:
                pass  # registered on another machine: fetched below
            except TamperedArtifactError as error:
                # A copy cut short (a process killed while putting it: BentoML writes in place)
                # or changed on this disk; the shared copy is checked before it replaces it.
                logger.warning("replacing the local copy of %s: %s", tag, error.detail)
                self.artifacts.remove(tag)
            with tempfile.TemporaryDirectory(prefix="mammocad-fetch-") as scratch:
                # every file checked first
                self.remote.fetch(version.model_name, version.artifact_sha256, files, Path(scratch))
                labels = _labels(version.model_name, version.task, version.version)
                self.artifacts.put(Path(scratch), tag, files, labels)
            return self.artifacts.verified_folder(tag, files)

    # --- registering -----------------------------------------------------------------------

    def register(
        self, folder: Path, name: str, *, actor: str, description: str = "", reason: str = ""
    ) -> ModelVersion:
        """Register a trained model folder (``model.pt`` + ``metadata.json``) as the next version
        of ``name`` (created on first use, with the task the metadata names), with the
        calibration and OOD records training wrote beside the weights, if any.

        Raises:
            InvalidInputError: not a trained model folder, or a bad name.
            ConflictError: ``name`` is a model of the other task.
        """
        check_name("model", name)
        training = _read_metadata(folder)
        files = hash_folder(folder)
        calibration, ood_detector = bundled_records(folder, files)
        new = NewVersion(
            model_name=name,
            task=training.task,
            description=description,
            files=files,
            artifact_sha256=digest_of(files),
            training=training,
            calibration=calibration,
            ood_detector=ood_detector,
        )
        return self._add(new, folder, actor=actor, action="version.register", reason=reason)

    def export_version(self, name: str, ref: VersionRef, out: Path) -> Path:
        """Write a version (verified artifact + records) to one ``.tar.gz`` archive."""
        version = self.store.get_version(name, ref)
        return write_archive(self.store.get_model(name), version, self._local_folder(version), out)

    def import_version(
        self, archive: Path, *, actor: str, name: str | None = None, reason: str = ""
    ) -> ModelVersion:
        """Register an exported version as the next version of ``name`` (default: the name it
        was exported under), with its evaluations, calibration, OOD detector and card."""
        with tempfile.TemporaryDirectory(prefix="mammocad-import-") as scratch:
            manifest = read_archive(archive, Path(scratch))
            target = check_name("model", name or manifest.model_name)
            new = NewVersion(
                model_name=target,
                task=manifest.task,
                description=manifest.description,
                files=manifest.files,
                artifact_sha256=manifest.artifact_sha256,
                training=manifest.training,
                card=manifest.card,
                evaluations=manifest.evaluations,
                calibration=manifest.calibration,
                ood_detector=manifest.ood_detector,
            )
            origin = f"imported from {manifest.model_name} version {manifest.version}"
            return self._add(
                new,
                Path(scratch) / ARTIFACT_FOLDER,
                actor=actor,
                action="version.import",
                reason=f"{reason} ({origin})" if reason else origin,
            )

    def _add(
        self,
        new: NewVersion,
        source: Path,
        *,
        actor: str,
        action: VersionAction,
        reason: str,
    ) -> ModelVersion:
        created: list[str] = []
        # Uploaded before the write transaction, which must not wait on a transfer (the shared
        # copy is keyed by content, not by the number the transaction hands out); a failed
        # upload fails the registration, and each file is hashed as it goes out.
        uploaded = (
            []
            if self.remote is None
            else self.remote.upload(new.model_name, new.artifact_sha256, source, new.files)
        )

        def stage(number: int) -> str:
            tag = f"{new.model_name}:v{number}-{new.artifact_sha256.removeprefix('sha256:')[:12]}"
            labels = _labels(new.model_name, new.task, number)
            if self.artifacts.put(source, tag, new.files, labels):
                created.append(tag)
            return tag

        try:
            return self.store.add_version(
                new,
                stage=stage,
                actor=actor,
                action=action,
                reason=reason,
            )
        except BaseException:
            for tag in created:  # the database never saw it: leave no orphan in the store
                self.artifacts.remove(tag)
            if self.remote is not None:
                self.remote.discard(uploaded)
            raise

    # --- records ---------------------------------------------------------------------------

    def attach_evaluation(
        self, name: str, ref: VersionRef, report: Path, *, actor: str, reason: str = ""
    ) -> ModelVersion:
        """Attach a ``report.json`` of ``mammocad evaluate`` (one per data set)."""
        try:
            data = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise InvalidInputError(f"cannot read {report}: {error}") from error
        record = evaluation_from_report(data)
        return self.store.attach_evaluation(name, ref, record, actor=actor, reason=reason)

    def attach_record(
        self,
        name: str,
        ref: VersionRef,
        record: CalibrationRecord | OodDetectorRecord,
        *,
        actor: str,
        reason: str = "",
    ) -> ModelVersion:
        """Attach (or replace) the version's calibration or OOD detector record (audited)."""
        return self.store.set_record(name, ref, record, actor=actor, reason=reason)

    def attach_ood_evaluation(
        self, name: str, ref: VersionRef, report: Path, *, actor: str, reason: str = ""
    ) -> ModelVersion:
        """Add a ``mammocad ood-eval`` report's per-set AUROCs of the version's own detector to
        its OOD record (audited; replaces an earlier report's). See :mod:`registry.shift_study`."""
        try:
            data = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise InvalidInputError(f"cannot read {report}: {error}") from error
        record = with_ood_evaluation(self.store.get_version(name, ref), data)
        return self.store.set_record(name, ref, record, actor=actor, reason=reason)

    def edit_card(
        self, name: str, ref: VersionRef, edit: CardEdit, *, actor: str, reason: str = ""
    ) -> ModelVersion:
        """Replace the given authored card sections (audited with before and after)."""
        return self.store.edit_card(name, ref, edit, actor=actor, reason=reason)

    # --- aliases ---------------------------------------------------------------------------

    def set_alias(
        self,
        name: str,
        alias: str,
        ref: VersionRef,
        *,
        actor: str,
        reason: str = "",
        force: bool = False,
    ) -> AliasMove:
        """Point ``alias`` at a version. Moving ``production`` must pass every gate
        (:func:`registry.gates.production_gates`); ``force`` (with a reason) overrides only the
        comparison with the current production version, and is audited.

        Raises:
            PromotionRefusedError: listing every unmet gate.
            InvalidInputError: ``force`` without a reason, or a bad alias name.
        """
        check_name("alias", alias)
        if force and not reason.strip():
            raise InvalidInputError("a forced promotion needs a reason", code="reason-required")
        gate = self._servable_gate_for(self.store.get_version(name, ref))
        check = _alias_check(name, alias, force, gate)
        return self.store.move_alias(name, alias, ref, actor=actor, reason=reason, check=check)

    def _servable_gate_for(
        self, expected: ModelVersion | None
    ) -> Callable[[ModelVersion], UnmetGate | None]:
        """:meth:`_servable_gate`, with the shared copy of ``expected`` (the version the alias
        move will most likely be asked about) checked now, before the move's write transaction:
        checking the shared copy downloads every file, which must not hold the registry's write
        lock. Inside the transaction only another version (the alias moved meanwhile) is
        checked there and then; the local store's check is quick and stays inside."""
        if self.remote is None or expected is None:
            return self._servable_gate
        verdict = self._servable_gate(expected)

        def gate(candidate: ModelVersion) -> UnmetGate | None:
            same = (candidate.model_name, candidate.artifact_sha256) == (
                expected.model_name,
                expected.artifact_sha256,
            )  # the same shared folder, whose content the sha256 fixes
            return verdict if same else self._servable_gate(candidate)

        return gate

    def _servable_gate(self, candidate: ModelVersion) -> UnmetGate | None:
        """The artifact gate of every alias move: the serving side opens a version from the
        store it loads from, sha256-verified; a version it cannot open must never be what an
        alias names. With a shared model store that is the shared one (every replica without
        the version fetches it from there, whatever this machine's local store holds)."""
        tag, files = candidate.artifact_tag, candidate.files
        try:
            if self.remote is None:
                self.artifacts.verified_folder(tag, files)
            else:
                with tempfile.TemporaryDirectory(prefix="mammocad-verify-") as scratch:
                    self.remote.fetch(
                        candidate.model_name, candidate.artifact_sha256, files, Path(scratch)
                    )
        except (NotFoundError, TamperedArtifactError, UnavailableError) as error:
            where = (
                f"model store {self.artifacts.root}; MAMMOCAD_HOME / BENTOML_HOME must name the "
                "store the services read"
                if self.remote is None
                else f"shared model store {self.remote.url}, which the services fetch from"
            )
            return UnmetGate(
                gate="artifact",
                reason=f"the serving side could not open it: {error.detail} ({where})",
            )
        return None

    def rollback(
        self, name: str, alias: str = PRODUCTION, *, actor: str, reason: str = ""
    ) -> AliasMove:
        """Move ``alias`` back to the version it pointed at before (audited). Its gates were met
        when it was there; only its artifact is checked again, since it may have been changed
        on disk since (rolling back to a model the services refuse to load is no way back).

        Raises:
            PromotionRefusedError: the earlier version's artifact cannot be opened.
            ConflictError: the alias has no earlier version.
        """
        check_name("alias", alias)
        target = self.store.rollback_target(name, alias)
        expected = None if target is None else self.store.get_version(name, target)
        check = _servable_check(name, alias, self._servable_gate_for(expected))
        return self.store.rollback(name, alias, actor=actor, reason=reason, check=check)

    # --- API keys --------------------------------------------------------------------------

    def create_key(
        self,
        name: str,
        scopes: list[Scope],
        *,
        actor: str,
        expires_in: timedelta | None = None,
    ) -> tuple[ApiKey, str]:
        """A new API key and its token; the token is shown here once and never stored.
        ``expires_in``: the key stops authenticating that long after now (None: never)."""
        if expires_in is not None and expires_in <= timedelta(0):
            raise InvalidInputError("a key's lifetime must be positive", code="invalid-expiry")
        unknown = sorted(set(scopes) - set(SCOPES))
        if unknown or not scopes:
            raise InvalidInputError(
                f"scopes must be a non-empty subset of {', '.join(SCOPES)}; got {unknown or []}",
                code="invalid-scope",
            )
        minted = mint_token()
        expires_at = None if expires_in is None else datetime.now(UTC) + expires_in
        key = self.store.add_key(
            minted.key_id, name, scopes, minted.sha256, actor=actor, expires_at=expires_at
        )
        return key, minted.token

    def revoke_key(self, key_id: str, *, actor: str, reason: str = "") -> ApiKey:
        """Revoke a key (audited); it stops authenticating at once."""
        return self.store.revoke_key(key_id, actor=actor, reason=reason)

    def list_keys(self) -> list[ApiKey]:
        """Every key, revoked ones included (never their tokens)."""
        return self.store.list_keys()

    def authenticate(self, token: str) -> Principal:
        """Who ``token`` belongs to and what it may do.

        Raises:
            UnauthorizedError: malformed, unknown, revoked or wrong token (one message for all,
                so that a caller learns nothing about which).
        """
        key_id = parse_key_id(token)
        found = self.store.find_key(key_id) if key_id is not None else None
        usable = found is not None and found[0].usable_at(datetime.now(UTC))
        if found is None or not usable or not matches(token, found[1]):
            raise UnauthorizedError("invalid, unknown, revoked or expired API key")
        key = found[0]
        return Principal(actor=f"key:{key.name}", scopes=frozenset(key.scopes))


def _labels(model_name: str, task: str, number: int) -> dict[str, str]:
    """The BentoML labels of a version's tag, wherever it is put into a local store."""
    return {"task": task, "version": str(number), "registry-model": model_name}


def _read_metadata(folder: Path) -> TrainingMetadata:
    if not (folder / WEIGHTS_FILE).is_file():
        raise InvalidInputError(
            f"{folder} is not a trained model folder (no {WEIGHTS_FILE})", code="not-a-model-folder"
        )
    path = folder / METADATA_FILE
    try:
        return TrainingMetadata.model_validate_json(path.read_bytes())
    except OSError as error:
        raise InvalidInputError(
            f"{folder} is not a trained model folder (no readable {METADATA_FILE}): {error}",
            code="not-a-model-folder",
        ) from error
    except ValidationError as error:
        raise InvalidInputError(
            f"{path} is not valid training metadata: {error}", code="not-a-model-folder"
        ) from error


def _servable_check(
    name: str, alias: str, servable: Callable[[ModelVersion], UnmetGate | None]
) -> AliasCheck:
    """Only the artifact gate (never overridable): what a rollback must still pass."""

    def check(candidate: ModelVersion, _current: ModelVersion | None) -> list[str]:
        if (artifact := servable(candidate)) is not None:
            raise PromotionRefusedError(name, candidate.version, alias, [artifact])
        return []

    return check


def _alias_check(
    name: str, alias: str, force: bool, servable: Callable[[ModelVersion], UnmetGate | None]
) -> AliasCheck:
    """Every alias needs a servable artifact; ``production`` also needs its gates."""

    def check(candidate: ModelVersion, current: ModelVersion | None) -> list[str]:
        unmet = production_gates(candidate, current) if alias == PRODUCTION else []
        if (artifact := servable(candidate)) is not None:
            unmet.insert(0, artifact)
        if any(not (force and gate.overridable) for gate in unmet):
            raise PromotionRefusedError(name, candidate.version, alias, unmet)
        return [gate.reason for gate in unmet]

    return check
