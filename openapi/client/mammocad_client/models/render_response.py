from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.image_metadata import ImageMetadata


T = TypeVar("T", bound="RenderResponse")


@_attrs_define
class RenderResponse:
    """The uploaded image as a viewer draws it: 16-bit grey display values in the original
    geometry, so the viewer's window and level act on the image's own contrast steps rather
    than on an 8-bit picture of them.

        Attributes:
            height (int): rows of the rendered pixels
            image (ImageMetadata): Technical description of an ingested image as it was received.
            pixels_base64 (str): height x width little-endian uint16, row by row: 0 black, 65535 white (MONOCHROME2 sense,
                after the DICOM modality LUT, VOI LUT or window and any MONOCHROME1 inversion); the same geometry as
                /v1/explain's heatmap PNGs at the same max_side
            request_id (str):
            scale_x (float): original pixels per rendered pixel along x (1: full size)
            scale_y (float): original pixels per rendered pixel along y (1: full size)
            timing_ms (float):
            width (int): columns of the rendered pixels
    """

    height: int
    image: ImageMetadata
    pixels_base64: str
    request_id: str
    scale_x: float
    scale_y: float
    timing_ms: float
    width: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        height = self.height

        image = self.image.to_dict()

        pixels_base64 = self.pixels_base64

        request_id = self.request_id

        scale_x = self.scale_x

        scale_y = self.scale_y

        timing_ms = self.timing_ms

        width = self.width

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "height": height,
                "image": image,
                "pixels_base64": pixels_base64,
                "request_id": request_id,
                "scale_x": scale_x,
                "scale_y": scale_y,
                "timing_ms": timing_ms,
                "width": width,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.image_metadata import ImageMetadata  # noqa: PLC0415

        d = dict(src_dict)
        height = d.pop("height")

        image = ImageMetadata.from_dict(d.pop("image"))

        pixels_base64 = d.pop("pixels_base64")

        request_id = d.pop("request_id")

        scale_x = d.pop("scale_x")

        scale_y = d.pop("scale_y")

        timing_ms = d.pop("timing_ms")

        width = d.pop("width")

        render_response = cls(
            height=height,
            image=image,
            pixels_base64=pixels_base64,
            request_id=request_id,
            scale_x=scale_x,
            scale_y=scale_y,
            timing_ms=timing_ms,
            width=width,
        )

        render_response.additional_properties = d
        return render_response

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
