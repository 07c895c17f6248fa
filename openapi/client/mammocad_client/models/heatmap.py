from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Heatmap")


@_attrs_define
class Heatmap:
    """The explanation map in the original image's geometry.

    Attributes:
        height (int): rows of the PNGs
        overlay_png_base64 (str): RGB PNG for display: the image in grey with the map in colour (jet)
        peak (list[float] | None): [x, y] of the strongest evidence in ORIGINAL pixel coordinates; null when the map
            holds no positive evidence at all
        png_base64 (str): 8-bit grey PNG of the map: the strongest cell's evidence for the explained output in this
            image is 255 (bilinear resampling may leave the brightest pixel a little lower), 0 none; negative evidence and
            the region the model did not see (cropped away) are 0. The pixel at (col, row) covers original pixels
            [col*scale_x, (col+1)*scale_x) x [row*scale_y, (row+1)*scale_y)
        scale_x (float): original pixels per heatmap pixel along x (1: full size)
        scale_y (float): original pixels per heatmap pixel along y (1: full size)
        width (int): columns of the PNGs
    """

    height: int
    overlay_png_base64: str
    peak: list[float] | None
    png_base64: str
    scale_x: float
    scale_y: float
    width: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        height = self.height

        overlay_png_base64 = self.overlay_png_base64

        peak: list[float] | None
        if isinstance(self.peak, list):
            peak = []
            for peak_type_0_item_data in self.peak:
                peak_type_0_item: float
                peak_type_0_item = peak_type_0_item_data
                peak.append(peak_type_0_item)

        else:
            peak = self.peak

        png_base64 = self.png_base64

        scale_x = self.scale_x

        scale_y = self.scale_y

        width = self.width

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "height": height,
                "overlay_png_base64": overlay_png_base64,
                "peak": peak,
                "png_base64": png_base64,
                "scale_x": scale_x,
                "scale_y": scale_y,
                "width": width,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        height = d.pop("height")

        overlay_png_base64 = d.pop("overlay_png_base64")

        def _parse_peak(data: object) -> list[float] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                peak_type_0 = []
                _peak_type_0 = data
                for peak_type_0_item_data in _peak_type_0:

                    def _parse_peak_type_0_item(data: object) -> float:
                        return cast(float, data)

                    peak_type_0_item = _parse_peak_type_0_item(peak_type_0_item_data)

                    peak_type_0.append(peak_type_0_item)

                return peak_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[float] | None, data)

        peak = _parse_peak(d.pop("peak"))

        png_base64 = d.pop("png_base64")

        scale_x = d.pop("scale_x")

        scale_y = d.pop("scale_y")

        width = d.pop("width")

        heatmap = cls(
            height=height,
            overlay_png_base64=overlay_png_base64,
            peak=peak,
            png_base64=png_base64,
            scale_x=scale_x,
            scale_y=scale_y,
            width=width,
        )

        heatmap.additional_properties = d
        return heatmap

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
