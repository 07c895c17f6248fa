"""The PACS the study analysis reads from and writes to, over DICOMweb.

QIDO-RS finds a study's mammograms, WADO-RS fetches each as its original Part 10 file (the same
bytes an upload would carry, so ingest sees what it always sees), STOW-RS stores the reports and
maps back. The protocol work is ``dicomweb-client``'s; this module only turns its outcomes into
mammocad's errors: an unreachable or failing PACS is a 503 the caller may retry, a refused store
a 502, a study without mammograms a 404. ``dicomweb-client`` is synchronous (requests), so the
callers run these in the thread pool.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pydicom
import requests
from dicomweb_client.api import DICOMwebClient
from pydicom.dataset import Dataset

from api.dicom_outputs import dicom_bytes
from mammocad.errors import MammocadError, NotFoundError, UnavailableError

__all__ = ["Pacs", "PacsStoreError", "StoredInstance", "StudyInstance"]

T = TypeVar("T")

_MAMMOGRAPHY = "MG"
_ORIGINAL_TRANSFER_SYNTAX = (("application/dicom", "*"),)


class PacsStoreError(MammocadError):
    """The PACS refused to store an object (STOW-RS failure): its fault or its policy, not the
    caller's; nothing else of the request was stored after it."""

    code = "pacs-store-failed"
    title = "PACS refused the store"


@dataclass(frozen=True)
class StudyInstance:
    """One mammogram of a study, as QIDO-RS lists it."""

    series_instance_uid: str
    sop_instance_uid: str


@dataclass(frozen=True)
class StoredInstance:
    """One object the PACS accepted."""

    sop_class_uid: str
    sop_instance_uid: str
    retrieve_url: str | None


class Pacs:
    """A DICOMweb PACS at ``url`` (its DICOMweb root, e.g. ``http://host:8042/dicom-web``)."""

    def __init__(self, url: str, *, timeout_s: float) -> None:
        self._url = url.rstrip("/")
        self._client = DICOMwebClient(self._url, timeout=timeout_s)

    def mammograms(self, study_instance_uid: str) -> list[StudyInstance]:
        """The study's MG instances, series by series.

        Raises:
            NotFoundError: the PACS has no such study, or the study has no mammogram.
            UnavailableError: the PACS cannot be reached or failed.
        """
        found = self._call(
            lambda: self._client.search_for_instances(
                study_instance_uid=study_instance_uid,
                search_filters={"Modality": _MAMMOGRAPHY},
            )
        )
        instances = [
            StudyInstance(
                series_instance_uid=_value(item, "0020000E"),
                sop_instance_uid=_value(item, "00080018"),
            )
            for item in found
        ]
        if not instances:
            raise NotFoundError(
                f"the PACS has no mammogram (Modality MG) in study {study_instance_uid}",
                code="study-not-found",
            )
        return sorted(instances, key=lambda i: (i.series_instance_uid, i.sop_instance_uid))

    def mammogram(self, study_instance_uid: str, sop_instance_uid: str) -> StudyInstance:
        """One MG instance of the study, by its SOP Instance UID.

        Raises:
            NotFoundError: the PACS has no such study (``study-not-found``), or no such
                mammogram in it (``instance-not-found``).
            UnavailableError: the PACS cannot be reached or failed.
        """
        found = self._call(
            lambda: self._client.search_for_instances(
                study_instance_uid=study_instance_uid,
                search_filters={"Modality": _MAMMOGRAPHY, "SOPInstanceUID": sop_instance_uid},
            )
        )
        for item in found:
            if _value(item, "00080018") == sop_instance_uid:  # a PACS may ignore the filter
                return StudyInstance(
                    series_instance_uid=_value(item, "0020000E"),
                    sop_instance_uid=sop_instance_uid,
                )
        self.mammograms(study_instance_uid)  # no such study: say so, not "no such instance"
        raise NotFoundError(
            f"the PACS has no mammogram {sop_instance_uid} in study {study_instance_uid}",
            code="instance-not-found",
        )

    def fetch(self, study_instance_uid: str, instance: StudyInstance) -> bytes:
        """The instance as a DICOM Part 10 file in its stored transfer syntax.

        Raises:
            UnavailableError: the PACS cannot be reached or failed.
        """
        dataset = self._call(
            lambda: self._client.retrieve_instance(
                study_instance_uid,
                instance.series_instance_uid,
                instance.sop_instance_uid,
                media_types=_ORIGINAL_TRANSFER_SYNTAX,
            )
        )
        return dicom_bytes(dataset)

    def store(self, datasets: list[Dataset]) -> list[StoredInstance]:
        """Store ``datasets`` (STOW-RS, one request) and return what the PACS accepted.

        Raises:
            PacsStoreError: the PACS refused one or more of them.
            UnavailableError: the PACS cannot be reached or failed.
        """
        files = [_as_part10(dataset) for dataset in datasets]
        answer = self._call(lambda: self._client.store_instances(files))
        failed = answer.get("FailedSOPSequence", [])
        if failed:
            reasons = ", ".join(
                f"{item.get('ReferencedSOPInstanceUID', '?')} (reason {item.get('FailureReason')})"
                for item in failed
            )
            raise PacsStoreError(f"the PACS refused to store {reasons}")
        return [
            StoredInstance(
                sop_class_uid=str(item.ReferencedSOPClassUID),
                sop_instance_uid=str(item.ReferencedSOPInstanceUID),
                retrieve_url=str(item.RetrieveURL) if "RetrieveURL" in item else None,
            )
            for item in answer.get("ReferencedSOPSequence", [])
        ]

    def _call(self, action: Callable[[], T]) -> T:
        try:
            return action()
        except requests.HTTPError as error:
            status = error.response.status_code if error.response is not None else None
            if status == 404:
                raise NotFoundError("the PACS has no such study", code="study-not-found") from error
            raise UnavailableError(
                f"the PACS at {self._url} answered HTTP {status}", code="pacs-unavailable"
            ) from error
        except (requests.ConnectionError, requests.Timeout) as error:
            raise UnavailableError(
                f"the PACS at {self._url} cannot be reached ({type(error).__name__})",
                code="pacs-unavailable",
            ) from error


def _as_part10(dataset: Dataset) -> Dataset:
    """``dataset`` with complete file meta information (group length, version, implementation
    UIDs): dicomweb-client writes the file meta as it finds it, and a PACS stores what it gets,
    so the objects are normalised here, once, for every writer."""
    return pydicom.dcmread(io.BytesIO(dicom_bytes(dataset)))


def _value(item: dict[str, dict[str, list[str]]], tag: str) -> str:
    return str(item[tag]["Value"][0])
