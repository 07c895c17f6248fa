"""Property-based round trips of the original <-> model grid mapping."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mammocad.geometry import AxisMap, GridTransform

shapes = st.tuples(st.integers(8, 3000), st.integers(8, 3000))


@st.composite
def chains(draw: st.DrawFn) -> GridTransform:
    """A random chain of the steps ingest uses: crop, flip, resize, pad, in any order."""
    shape = draw(shapes)
    transform = GridTransform.identity(shape)
    for step in draw(st.lists(st.sampled_from(["crop", "flip", "resize", "pad"]), max_size=6)):
        rows, cols = transform.target_shape
        if step == "crop" and rows > 2 and cols > 2:
            top = draw(st.integers(0, rows - 2))
            left = draw(st.integers(0, cols - 2))
            bottom = draw(st.integers(top + 1, rows))
            right = draw(st.integers(left + 1, cols))
            nxt = GridTransform.crop((rows, cols), top, left, bottom, right)
        elif step == "flip":
            nxt = GridTransform.flip_horizontal((rows, cols))
        elif step == "resize":
            nxt = GridTransform.resize((rows, cols), draw(shapes))
        else:
            nxt = GridTransform.pad(
                (rows, cols), (rows + draw(st.integers(0, 50)), cols + draw(st.integers(0, 50)))
            )
        transform = transform.then(nxt)
    return transform


points = st.lists(
    st.tuples(st.floats(-5000, 5000), st.floats(-5000, 5000)), min_size=1, max_size=20
)


@settings(max_examples=300, deadline=None)
@given(chains(), points)
def test_points_round_trip(transform: GridTransform, pts: list[tuple[float, float]]) -> None:
    there = transform.to_model_points(pts)
    back = transform.to_original_points(there)
    np.testing.assert_allclose(back, np.asarray(pts), rtol=1e-9, atol=1e-7)


@settings(max_examples=300, deadline=None)
@given(
    chains(),
    st.lists(
        st.tuples(st.floats(0, 4000), st.floats(0, 4000), st.floats(0.5, 500), st.floats(0.5, 500)),
        min_size=1,
    ),
)
def test_boxes_round_trip_and_stay_ordered(
    transform: GridTransform, raw: list[tuple[float, float, float, float]]
) -> None:
    boxes = np.array([[x, y, x + w, y + h] for x, y, w, h in raw])
    model = transform.to_model_boxes(boxes)
    assert np.all(model[:, 2] > model[:, 0]) and np.all(model[:, 3] > model[:, 1])
    back = transform.to_original_boxes(model, clip=False)
    np.testing.assert_allclose(back, boxes, rtol=1e-9, atol=1e-7)


def test_flip_maps_pixel_centres_like_array_reversal() -> None:
    transform = GridTransform.flip_horizontal((4, 10))
    # Pixel column 0 (centre 0.5) lands on column 9 (centre 9.5) after arr[:, ::-1].
    assert transform.to_model_points([[0.5, 2.5]]).tolist() == [[9.5, 2.5]]
    assert transform.flipped_horizontally


def test_resize_is_pixel_centre_aligned() -> None:
    transform = GridTransform.resize((100, 200), (50, 100))
    # The centre of the last original column (199.5) maps to the centre of the last model one.
    np.testing.assert_allclose(transform.to_model_points([[199.5, 99.5]]), [[99.75, 49.75]])
    np.testing.assert_allclose(transform.to_model_points([[200, 100]]), [[100, 50]])


def test_to_original_boxes_clips_to_the_image() -> None:
    transform = GridTransform.identity((100, 50))
    clipped = transform.to_original_boxes([[-10, -5, 60, 120]])
    assert clipped.tolist() == [[0, 0, 50, 100]]


def test_chaining_checks_shapes() -> None:
    with pytest.raises(ValueError, match="cannot chain"):
        GridTransform.identity((10, 10)).then(GridTransform.identity((20, 20)))


@pytest.mark.parametrize(
    "bad", [dict(top=5, left=0, bottom=5, right=4), dict(top=0, left=0, bottom=11, right=4)]
)
def test_crop_outside_the_grid_is_refused(bad: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="outside"):
        GridTransform.crop((10, 10), **bad)


def test_degenerate_axis_map_is_refused() -> None:
    with pytest.raises(ValueError, match="not invertible"):
        AxisMap(scale=0.0)
