"""Dense targets and the instance maps that carry boxes through augmentation."""

from __future__ import annotations

import numpy as np
import pytest

from models.training.targets import (
    boxes_from_instances,
    centre_heatmap,
    ellipse_cells,
    instance_map,
)


def test_instance_map_round_trips_boxes_to_the_pixel() -> None:
    boxes = [(10.0, 20.0, 30.0, 50.0), (40.0, 5.0, 44.0, 9.0)]
    found = boxes_from_instances(instance_map((64, 64), boxes), len(boxes))
    assert found == {0: (10.0, 20.0, 30.0, 50.0), 1: (40.0, 5.0, 44.0, 9.0)}


def test_small_lesion_inside_a_large_one_keeps_its_pixels() -> None:
    boxes = [(30.0, 30.0, 32.0, 32.0), (0.0, 0.0, 64.0, 64.0)]
    instances = instance_map((64, 64), boxes)
    assert (instances == 1).sum() > 0 and (instances == 2).sum() > 1000


def test_sub_pixel_lesion_still_owns_its_centre_pixel() -> None:
    instances = instance_map((16, 16), [(5.2, 7.1, 5.4, 7.3)])
    assert instances[7, 5] == 1 and (instances > 0).sum() == 1


def test_lesion_moved_out_of_view_is_absent() -> None:
    instances = instance_map((32, 32), [(4.0, 4.0, 10.0, 10.0), (20.0, 20.0, 28.0, 28.0)])
    shifted = np.zeros_like(instances)
    shifted[:, :16] = instances[:, 16:]  # a translation that pushes lesion 0 off the image
    assert boxes_from_instances(shifted, 2) == {1: (4.0, 20.0, 12.0, 28.0)}


def test_ellipse_cells_on_a_stride_8_grid() -> None:
    mask = ellipse_cells((8, 8), 8, [(16.0, 16.0, 48.0, 48.0)])
    assert mask[3, 3] == 1 and mask[0, 0] == 0
    assert mask.sum() == pytest.approx(12, abs=4)  # about a disc of radius 2 cells
    tiny = ellipse_cells((8, 8), 8, [(33.0, 17.0, 35.0, 19.0)])
    assert tiny.sum() == 1 and tiny[2, 4] == 1  # smaller than a cell: its centre cell


def test_centre_heatmap_peaks_and_sizes() -> None:
    heatmap, sizes, centres = centre_heatmap((16, 12), 8, [(40.0, 64.0, 72.0, 80.0)])
    assert centres.tolist() == [[9, 7]]
    assert heatmap[9, 7] == 1.0 and heatmap.max() == 1.0
    assert heatmap[9, 8] < 1.0 and heatmap[0, 0] < 1e-3
    assert sizes.tolist() == [[32.0, 16.0]]
