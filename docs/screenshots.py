"""Take the README's screenshots of the viewer and the registry page from a running gateway.

    python docs/screenshots.py --url http://127.0.0.1:8000 --key-file var/api-key

It opens the viewer in Debian's chromium (Playwright, as the browser tests do), uploads a
synthetic mammogram with a known mass (generated here, ``synthetic:6``), waits for every answer
and saves ``docs/images/viewer.png`` and ``docs/images/registry.png``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

from mammocad.datasets.spec import load_dataset
from serving.browser import CHROMIUM_FLAGS, chromium_executable


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--key-file", type=Path, default=Path("var/api-key"))
    parser.add_argument("--data", default="synthetic:6,seed=5,size=1024x768")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "images")
    args = parser.parse_args()
    key = args.key_file.read_text().strip()
    image = next(
        r.path
        for r in load_dataset(args.data)
        if any(lesion.kind.is_mass and lesion.box for lesion in r.lesions)
    )
    chromium = chromium_executable()
    if chromium is None:
        raise SystemExit("chromium is absent (apt-get install chromium)")
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=list(CHROMIUM_FLAGS))
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.set_default_timeout(180_000)
        page.goto(f"{args.url}/viewer/")
        page.fill("#api-key", key)
        page.click("#key-form button")
        page.set_input_files("#file", str(image))
        page.wait_for_selector("body[data-state=done]")
        page.screenshot(path=str(args.out / "viewer.png"))
        page.goto(f"{args.url}/viewer/registry.html")
        page.wait_for_selector("#audit table")
        page.screenshot(path=str(args.out / "registry.png"), full_page=True)
        browser.close()
    print(f"saved {args.out / 'viewer.png'} and {args.out / 'registry.png'} ({image.name})")


if __name__ == "__main__":
    main()
