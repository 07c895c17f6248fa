"""From a labelled data set to model-ready examples: ingest once, then augment on the fly.

Every training and evaluation image goes through :func:`mammocad.ingest.ingest_file`, the same
code the service runs on uploads, so the models never see pixels prepared differently from the
ones they will be asked about. Lesion boxes are mapped onto the model grid with the ingest
transform; answers are mapped back with the same transform.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
import torch
from monai.transforms import Compose
from torch.utils.data import Dataset

from mammocad.datasets.records import DataSet, Lesion, Record
from mammocad.geometry import GridTransform
from mammocad.ingest.metadata import ImageMetadata
from mammocad.ingest.pipeline import IngestOptions, ingest_file, model_input
from mammocad.vocabulary import Label
from models.training.sampling import Draw
from models.training.targets import Box, boxes_from_instances, instance_map

__all__ = [
    "Example",
    "ExampleDataset",
    "ModelInputs",
    "PreparedImage",
    "collate",
    "prepare_image",
    "prepare_images",
]


@dataclass(frozen=True)
class PreparedImage:
    """One ingested image with its ground truth on the model grid."""

    image_id: str
    patient_id: str
    label: Label
    pixels: np.ndarray  # (H, W) float32 in [0, 1]
    lesions: tuple[Lesion, ...]  # boxes on the MODEL grid; None where the source has no location
    transform: GridTransform
    original_lesions: tuple[Lesion, ...]  # as the data set gives them (original pixels)
    detail: np.ndarray | None = None  # (H, W) speck map when the model's ingest asks for one
    metadata: ImageMetadata | None = None  # the header as ingest read it

    def model_input(self) -> np.ndarray:
        """``(channels, H, W)``: what the network is fed (see :func:`model_input`)."""
        return model_input(self.pixels, self.detail)

    @property
    def located(self) -> bool:
        """True when every lesion has a box (dense supervision is then complete)."""
        return all(lesion.box is not None for lesion in self.lesions)


@dataclass(frozen=True)
class Example:
    """A training example after augmentation."""

    image: torch.Tensor  # (channels, H, W): grey, then the speck map if the model uses one
    boxes: list[Box]  # model-grid boxes of the located lesions still in view
    severities: list[Label]  # one per box
    label: Label
    located: bool


def prepare_image(record: Record, options: IngestOptions) -> PreparedImage:
    """Ingest one record at the model's grid and map its lesion boxes onto that grid.

    A lesion whose box falls outside the breast crop keeps ``box=None`` (it still counts for the
    image label); that only happens when the breast region missed part of the breast.
    """
    ingested = ingest_file(record.path, options, laterality=record.laterality)
    rows, cols = ingested.pixels.shape
    lesions = []
    for lesion in record.lesions:
        box = None
        if lesion.box is not None:
            x0, y0, x1, y1 = ingested.transform.to_model_boxes([lesion.box])[0]
            x0, x1 = max(0.0, x0), min(float(cols), x1)
            y0, y1 = max(0.0, y0), min(float(rows), y1)
            box = (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None
        lesions.append(lesion.model_copy(update={"box": box}))
    return PreparedImage(
        image_id=record.image_id,
        patient_id=record.patient_id,
        label=record.label,
        pixels=ingested.pixels,
        lesions=tuple(lesions),
        transform=ingested.transform,
        original_lesions=record.lesions,
        detail=ingested.detail,
        metadata=ingested.metadata,
    )


def prepare_images(
    dataset: DataSet, options: IngestOptions, on_progress: Callable[[int], None] | None = None
) -> list[PreparedImage]:
    """:func:`prepare_image` of every record, in memory (see :mod:`models.training.streaming`
    for data sets that do not fit)."""
    prepared = []
    for index, record in enumerate(dataset):
        prepared.append(prepare_image(record, options))
        if on_progress is not None:
            on_progress(index + 1)
    return prepared


class ModelInputs(Sequence[np.ndarray]):
    """The model inputs of prepared images, made when read: a lazy view, so predicting over a
    large validation set holds one batch of inputs in memory, not all of them."""

    def __init__(self, images: Sequence[PreparedImage]) -> None:
        self._images = images

    def __len__(self) -> int:
        return len(self._images)

    @overload
    def __getitem__(self, index: int) -> np.ndarray: ...
    @overload
    def __getitem__(self, index: slice) -> list[np.ndarray]: ...
    def __getitem__(self, index: int | slice) -> np.ndarray | list[np.ndarray]:
        if isinstance(index, slice):
            return [self._images[i].model_input() for i in range(*index.indices(len(self)))]
        return self._images[index].model_input()


class ExampleDataset(Dataset[Example]):
    """Prepared images as training examples, optionally through an augmentation.

    Args:
        images: the prepared images.
        keep: which lesions count as targets (e.g. only masses for the detector).
        augment: a MONAI dictionary transform over ``image``, ``instances`` and, when the
            images have one, ``detail`` (each (1, H, W)); lesion boxes are read back from the
            moved instance map.

    Indexed by a :class:`~models.training.sampling.Draw`, the augmentation is first re-seeded
    with the draw's seed: the example is then the same in whichever process loads it.
    """

    def __init__(
        self,
        images: Sequence[PreparedImage],
        keep: Callable[[Lesion], bool],
        augment: Compose | None = None,
    ) -> None:
        self.images = images  # a list, or images read from disk on demand
        self.keep = keep
        self.augment = augment

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, key: int | Draw) -> Example:
        index = key.image if isinstance(key, Draw) else key
        if isinstance(key, Draw) and self.augment is not None:
            self.augment.set_random_state(seed=key.augmentation_seed)
        item = self.images[index]
        targets = [
            lesion for lesion in item.lesions if lesion.box is not None and self.keep(lesion)
        ]
        boxes = [lesion.box for lesion in targets if lesion.box is not None]
        severities = [lesion.severity for lesion in targets]
        image = torch.from_numpy(item.model_input())
        if self.augment is not None:
            channels = {"image": image[:1]} | ({"detail": image[1:]} if len(image) > 1 else {})
            instances = torch.from_numpy(instance_map(item.pixels.shape, boxes))[None]
            moved = self.augment({**channels, "instances": instances})
            image = torch.cat(
                [torch.as_tensor(moved[key]).float().clamp(0.0, 1.0) for key in channels]
            )
            found = boxes_from_instances(np.asarray(moved["instances"])[0], len(boxes))
            boxes = [found[i] for i in sorted(found)]
            severities = [severities[i] for i in sorted(found)]
        return Example(
            image=image, boxes=boxes, severities=severities, label=item.label, located=item.located
        )


def collate(batch: list[Example]) -> tuple[torch.Tensor, list[Example]]:
    """Stack images; keep per-example targets as a list (their numbers differ)."""
    return torch.stack([example.image for example in batch]), batch
