"""Synthetic mammograms with exact ground truth: the embedded default and the test oracle.

A fresh installation without real data trains its demo models on these images, and tests use
them because every lesion box, mask and label is known exactly. Modules, one job each:

* :mod:`~mammocad.synthetic.vendors`: scanner profiles (curve, bits, noise, spacing, photometric);
* :mod:`~mammocad.synthetic.anatomy`, :mod:`~mammocad.synthetic.texture`,
  :mod:`~mammocad.synthetic.tissue`: outline, pectoral muscle, skin and 1/f^3 parenchyma;
* :mod:`~mammocad.synthetic.lesions`, :mod:`~mammocad.synthetic.placement`: masses and
  calcifications, and where they go;
* :mod:`~mammocad.synthetic.marker`: burned-in film labels;
* :mod:`~mammocad.synthetic.acquisition`: quantum noise and the vendor's stored values;
* :mod:`~mammocad.synthetic.case`: one image (:func:`generate_case`);
* :mod:`~mammocad.synthetic.dicom`, :mod:`~mammocad.synthetic.png`: writers;
* :mod:`~mammocad.synthetic.dataset`: a whole data set with its manifest.
"""

from mammocad.synthetic.case import (
    DEFAULT_SHAPE,
    BreastSpec,
    SyntheticCase,
    draw_breast,
    generate_case,
    render_case,
)
from mammocad.synthetic.dataset import ImageFormat, generate_dataset
from mammocad.synthetic.dicom import write_dicom
from mammocad.synthetic.png import write_png
from mammocad.synthetic.tissue import DENSITIES
from mammocad.synthetic.vendors import DEFAULT_VENDOR, VENDOR_PROFILES, VendorProfile, get_vendor

__all__ = [
    "DEFAULT_SHAPE",
    "DEFAULT_VENDOR",
    "DENSITIES",
    "VENDOR_PROFILES",
    "BreastSpec",
    "ImageFormat",
    "SyntheticCase",
    "VendorProfile",
    "draw_breast",
    "generate_case",
    "generate_dataset",
    "get_vendor",
    "render_case",
    "write_dicom",
    "write_png",
]
