"""Augmentation suited to mammograms, from MONAI's dictionary transforms.

Chosen for what varies between real mammograms: small rotations, scaling and shifts of the
breast (positioning), top-bottom flips (the chest wall stays on the left: ingest put it there,
and the models rely on it), contrast/gamma and brightness (exposure, processing, vendor), and
quantum noise. The lesion instance map moves with the image (nearest-neighbour) so boxes stay
exact, and so does the speck map when the model uses one; intensity transforms touch the grey
image only.
"""

from __future__ import annotations

import math

from monai.transforms import (
    Compose,
    RandAdjustContrastd,
    RandAffined,
    RandFlipd,
    RandGaussianNoised,
    RandScaleIntensityd,
)

__all__ = ["mammogram_augmentation"]


def mammogram_augmentation(shape: tuple[int, int], seed: int) -> Compose:
    """The training augmentation for images of ``shape`` (rows, columns), seeded."""
    keys = ["image", "detail", "instances"]  # "detail" only for models that use the speck map
    transform = Compose(
        [
            RandAffined(
                keys=keys,
                prob=0.7,
                rotate_range=math.radians(10),
                scale_range=0.1,
                translate_range=(0.05 * shape[0], 0.05 * shape[1]),
                mode=("bilinear", "bilinear", "nearest"),
                padding_mode="zeros",
                allow_missing_keys=True,
            ),
            RandFlipd(keys=keys, prob=0.5, spatial_axis=0, allow_missing_keys=True),
            RandAdjustContrastd(keys="image", prob=0.5, gamma=(0.7, 1.5)),
            RandScaleIntensityd(keys="image", prob=0.5, factors=0.15),
            RandGaussianNoised(keys="image", prob=0.3, std=0.02),
        ]
    )
    transform.set_random_state(seed=seed)
    return transform
