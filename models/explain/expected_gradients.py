"""SHAP values by expected gradients (shap's ``GradientExplainer``), at an intermediate layer.

Expected gradients average ``gradient x (input - reference)`` over random references from a
background set and random points on the path between them; the values add up (in expectation) to
the output minus its mean over the background. At the input pixels of a megapixel mammogram each
sample is a full forward and backward pass (tens of seconds per image on a CPU). Here the
network is split where its feature pyramid starts
(``network.intermediate`` / ``network.from_intermediate``): the trunk runs once for the image
and once per background image, and the samples only run the small second half. The values of the
features the output has a gradient path from (the strides 8, 16 and 32 pyramid inputs; the
patch classifier's c4 and c5) are summed over channels and carried to the output's cells, so
the map still adds up to the explained change; the rest of the split (a breast-coverage mask
that only selects cells) is held at the explained image's values.

With a finite number of samples the sum is not exact: the gap between the map's sum and the
explained change is reported with every explanation, as its error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import shap
import torch
from torch import nn

__all__ = ["ShapResult", "expected_gradients"]


@dataclass(frozen=True)
class ShapResult:
    """A SHAP map on the stride-8 grid and what it adds up to.

    Attributes:
        cell_map: ``(h, w)`` SHAP values per cell (signed: positive raises the output).
        output: the explained output for the image.
        expected_output: its mean over the background images.
        completeness_gap: ``|cell_map.sum() - (output - expected_output)|``: the error that
            the finite number of samples left.
    """

    cell_map: np.ndarray
    output: float
    expected_output: float
    completeness_gap: float


class _SplitNetwork(Protocol):
    """A network split where its feature pyramid starts (both task networks are)."""

    def eval(self) -> object: ...
    def from_intermediate(self, features: dict[str, torch.Tensor]) -> Any: ...


class _SecondHalf(nn.Module):
    """The network from its intermediate features to the explained quantity, as SHAP calls it:
    positional tensors in (the attributed features), ``(B, 1)`` out; the features that are not
    attributed are held at the explained image's values."""

    def __init__(
        self,
        network: _SplitNetwork,
        names: list[str],
        fixed: Mapping[str, torch.Tensor],
        read: Callable[[Any], torch.Tensor],
    ):
        super().__init__()
        self.network = network
        self.names = names
        self.fixed = dict(fixed)
        self.read = read

    def forward(self, *features: torch.Tensor) -> torch.Tensor:
        batch = features[0].shape[0]
        held = {name: value.expand(batch, *value.shape[1:]) for name, value in self.fixed.items()}
        output = self.network.from_intermediate(held | dict(zip(self.names, features, strict=True)))
        return self.read(output).unsqueeze(1)


def _differentiable(
    network: _SplitNetwork,
    features: Mapping[str, torch.Tensor],
    read: Callable[[Any], torch.Tensor],
) -> list[str]:
    """The intermediate features the explained output has a gradient path from. The others
    (a breast-coverage mask that only selects cells, features read only for the OOD statistics)
    cannot be attributed by gradients and are held at the image's values."""
    inputs = {name: value.detach().clone().requires_grad_(True) for name, value in features.items()}
    output = read(network.from_intermediate(inputs)).sum()
    gradients = torch.autograd.grad(output, list(inputs.values()), allow_unused=True)
    return [name for name, gradient in zip(inputs, gradients, strict=True) if gradient is not None]


def expected_gradients(
    network: _SplitNetwork,
    features: Mapping[str, torch.Tensor],
    background: Mapping[str, torch.Tensor],
    read: Callable[[Any], torch.Tensor],
    *,
    grid: tuple[int, int],
    nsamples: int,
    seed: int,
) -> ShapResult:
    """SHAP values of ``read(network.from_intermediate(features))`` against ``background``.

    Args:
        features: ``network.intermediate(image)`` of one image (batch of 1).
        background: ``network.intermediate(...)`` of the background images.
        grid: ``(rows, columns)`` of the output cell grid: each feature's values are summed
            over channels and carried to it (spread evenly over the cells a coarser feature cell
            covers, summed over the finer cells one output cell covers), so the map still adds
            up to the explained change.
        nsamples: samples per image (more: smaller completeness gap, proportionally slower).
        seed: the sampling seed (the same image and seed give the same map).
    """
    network.eval()
    names = _differentiable(network, features, read)
    fixed = {name: value for name, value in features.items() if name not in names}
    head = _SecondHalf(network, names, fixed, read).eval()
    explainer = shap.GradientExplainer(head, [background[n] for n in names], batch_size=nsamples)
    values = explainer.shap_values([features[n] for n in names], nsamples=nsamples, rseed=seed)
    rows, columns = grid
    cell_map = np.zeros((rows, columns), dtype=np.float64)
    for name, value in zip(names, values, strict=True):
        shaped = np.asarray(value).reshape(features[name].shape)[0]
        cell_map += _on_grid(shaped.sum(axis=0) if shaped.ndim == 3 else shaped, grid)
    with torch.no_grad():
        output = float(head(*[features[n] for n in names])[0, 0])
        expected = float(head(*[background[n] for n in names]).mean())
    return ShapResult(
        cell_map=cell_map.astype(np.float32),
        output=output,
        expected_output=expected,
        completeness_gap=abs(float(cell_map.sum()) - (output - expected)),
    )


def _on_grid(per_cell: np.ndarray, grid: tuple[int, int]) -> np.ndarray:
    """A feature's ``(h, w)`` values on the output ``grid`` (an integer factor finer or coarser),
    keeping their sum."""
    rows, columns = grid
    if per_cell.shape[0] >= rows:
        factor = per_cell.shape[0] // rows
        trimmed = per_cell[: rows * factor, : columns * factor]
        return trimmed.reshape(rows, factor, columns, factor).sum(axis=(1, 3))
    factor = rows // per_cell.shape[0]
    return np.kron(per_cell, np.ones((factor, factor)))[:rows, :columns] / factor**2
