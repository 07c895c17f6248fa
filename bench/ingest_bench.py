"""Ingest timings on real samples: median of repeated runs, all measured in this one process.

Usage: ``.venv/bin/python bench/ingest_bench.py [--repeats N]`` (needs ../shared/datasets).
Prints the median wall time of ``ingest_file`` (decode + normalise + crop + orient + resize to
the default 1024 x 768 grid), for the JPEG 2000 file how much of it is the decoder alone, and
what the classifier's speck map (top-hat at the original resolution) adds to each.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pydicom
from timing import median_seconds

from mammocad.ingest.pipeline import IngestOptions, ingest_file

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    j2k = SHARED / "dicom-samples" / "MG1_J2KI.dcm"
    pgm = SHARED / "mini-mias-dev" / "mdb001.pgm"
    for path in (j2k, pgm):
        if not path.is_file():
            raise SystemExit(f"{path} is absent: the benchmark needs ../shared/datasets")
    decode = median_seconds(lambda: pydicom.dcmread(j2k).pixel_array, args.repeats)
    whole_j2k = median_seconds(lambda: ingest_file(j2k), args.repeats)
    whole_pgm = median_seconds(lambda: ingest_file(pgm), args.repeats)
    specks = IngestOptions(detail_channel=True)
    specks_j2k = median_seconds(lambda: ingest_file(j2k, specks), args.repeats)
    specks_pgm = median_seconds(lambda: ingest_file(pgm, specks), args.repeats)
    print(f"repeats: {args.repeats} (median)")
    print(
        f"4664 x 3064 JPEG 2000 DICOM  ingest {whole_j2k * 1000:8.1f} ms "
        f"(decoder alone {decode * 1000:.1f} ms, {whole_j2k / decode:.2f}x)"
    )
    print(f"1024 x 1024 PGM (mini-MIAS)  ingest {whole_pgm * 1000:8.1f} ms")
    print(f"ratio JPEG 2000 / PGM: {whole_j2k / whole_pgm:.1f}x")
    print(
        f"with the speck map: JPEG 2000 {specks_j2k * 1000:.1f} ms "
        f"({specks_j2k / whole_j2k:.2f}x), PGM {specks_pgm * 1000:.1f} ms "
        f"({specks_pgm / whole_pgm:.2f}x)"
    )


if __name__ == "__main__":
    main()
