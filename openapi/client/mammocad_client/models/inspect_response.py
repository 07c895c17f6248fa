from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.grid_transform import GridTransform
    from ..models.image_metadata import ImageMetadata
    from ..models.model_grid import ModelGrid
    from ..models.orientation import Orientation


T = TypeVar("T", bound="InspectResponse")


@_attrs_define
class InspectResponse:
    """How mammocad reads an uploaded image, before any model sees it.

    Attributes:
        breast_box (list[int]): [x0, y0, x1, y1] of the breast region in ORIGINAL pixel coordinates (x right, y down,
            origin top-left)
        breast_found (bool): False: no breast-like region, nothing was cropped
        image (ImageMetadata): Technical description of an ingested image as it was received.
        model_grid (ModelGrid): Size of the model-ready image ingest produced.
        orientation (Orientation): How ingest oriented the image so that the chest wall is always on the left of the
            grid.
        request_id (str):
        timing_ms (float):
        transform (GridTransform): Maps points and boxes between the original grid and the model grid.

            Attributes:
                source_shape: (rows, columns) of the original image.
                target_shape: (rows, columns) of the model grid.
                x, y: the per-axis affine maps from original to model coordinates.
    """

    breast_box: list[int]
    breast_found: bool
    image: ImageMetadata
    model_grid: ModelGrid
    orientation: Orientation
    request_id: str
    timing_ms: float
    transform: GridTransform
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        breast_box = []
        for breast_box_item_data in self.breast_box:
            breast_box_item: int
            breast_box_item = breast_box_item_data
            breast_box.append(breast_box_item)

        breast_found = self.breast_found

        image = self.image.to_dict()

        model_grid = self.model_grid.to_dict()

        orientation = self.orientation.to_dict()

        request_id = self.request_id

        timing_ms = self.timing_ms

        transform = self.transform.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "breast_box": breast_box,
                "breast_found": breast_found,
                "image": image,
                "model_grid": model_grid,
                "orientation": orientation,
                "request_id": request_id,
                "timing_ms": timing_ms,
                "transform": transform,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.grid_transform import GridTransform  # noqa: PLC0415
        from ..models.image_metadata import ImageMetadata  # noqa: PLC0415
        from ..models.model_grid import ModelGrid  # noqa: PLC0415
        from ..models.orientation import Orientation  # noqa: PLC0415

        d = dict(src_dict)
        breast_box = []
        _breast_box = d.pop("breast_box")
        for breast_box_item_data in _breast_box:

            def _parse_breast_box_item(data: object) -> int:
                return cast(int, data)

            breast_box_item = _parse_breast_box_item(breast_box_item_data)

            breast_box.append(breast_box_item)

        breast_found = d.pop("breast_found")

        image = ImageMetadata.from_dict(d.pop("image"))

        model_grid = ModelGrid.from_dict(d.pop("model_grid"))

        orientation = Orientation.from_dict(d.pop("orientation"))

        request_id = d.pop("request_id")

        timing_ms = d.pop("timing_ms")

        transform = GridTransform.from_dict(d.pop("transform"))

        inspect_response = cls(
            breast_box=breast_box,
            breast_found=breast_found,
            image=image,
            model_grid=model_grid,
            orientation=orientation,
            request_id=request_id,
            timing_ms=timing_ms,
            transform=transform,
        )

        inspect_response.additional_properties = d
        return inspect_response

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
