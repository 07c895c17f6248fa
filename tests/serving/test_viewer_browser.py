"""The built-in viewer and registry pages in a real headless browser (Debian's chromium driven by
Playwright), against a real gateway with keys on, in front of the real task services.

Screenshots go to ``$MAMMOCAD_TEST_ARTIFACTS/viewer`` (default ``test-artifacts/viewer``).
"""

from __future__ import annotations

import base64
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Browser, FloatRect, Page, sync_playwright

from mammocad.datasets.records import DataSet
from serving.processes import ServiceProcess
from tests.orthanc import Orthanc
from tests.serving.conftest import ServingWorld, Stack, Study, gateway_on

pytestmark = pytest.mark.integration

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("Debian's chromium is absent (apt-get install chromium)", allow_module_level=True)

ALIAS = "viewer-demo"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(os.environ.get("MAMMOCAD_TEST_ARTIFACTS", "test-artifacts")) / "viewer"
ANSWER_TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def demo_alias(serving_world: ServingWorld) -> str:
    """The alias the pages are opened with: version 1 of both models."""
    with serving_world.registry() as registry:
        for name in ("classifier", "detector"):
            registry.set_alias(name, ALIAS, 1, actor="tests", reason="viewer browser test")
    return ALIAS


@pytest.fixture(scope="module")
def keyed_gateway(
    serving_world: ServingWorld, classify_service: ServiceProcess, stack: Stack, demo_alias: str
) -> Iterator[str]:
    """A gateway that requires keys (the default), on the session's task services."""
    with gateway_on(stack, serving_world, classify_service, keys=True) as url:
        yield url


@pytest.fixture(scope="module")
def pacs_viewer_gateway(
    serving_world: ServingWorld,
    classify_service: ServiceProcess,
    stack: Stack,
    orthanc: Orthanc,
    demo_alias: str,
) -> Iterator[str]:
    """A keyed gateway with Orthanc as its PACS (its own process: the others need no Orthanc)."""
    with gateway_on(
        stack, serving_world, classify_service, keys=True, MAMMOCAD_DICOMWEB_URL=orthanc.dicomweb
    ) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            launched.close()


def _page(browser: Browser, width: int = 1280, height: int = 800) -> Page:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(ANSWER_TIMEOUT_MS)
    return page


def _use_key(page: Page, token: str) -> None:
    page.fill("#api-key", token)
    page.click("#key-form button")


def _box(page: Page, selector: str) -> FloatRect:
    """Where ``selector`` is on the page, in CSS pixels (it must be displayed)."""
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not displayed"
    return box


def _mass_image(tiny_set: DataSet) -> Path:
    """A synthetic mammogram with a known mass."""
    return next(r.path for r in tiny_set if any(les.kind.is_mass for les in r.lesions))


def _screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def _with_evidence(gateway: str, token: str, data: DataSet) -> tuple[Path, str]:
    """A synthetic mammogram with a known mass and a class whose Grad-CAM map is not empty (a
    one-epoch demo network has no positive evidence for some outputs: the viewer then says so,
    and an overlay test needs something to show)."""
    for record in data:
        if not any(lesion.kind.is_mass for lesion in record.lesions):
            continue
        for target in ("malignant", "benign", "normal"):
            answer = httpx.post(
                f"{gateway}/v1/explain",
                params={"model": ALIAS, "task": "classify", "target": target},
                files={"file": ("image", record.path.read_bytes())},
                headers={"Authorization": f"Bearer {token}"},
                timeout=120,
            ).json()
            grey = Image.open(io.BytesIO(base64.b64decode(answer["heatmap"]["png_base64"])))
            if np.asarray(grey).max() > 5:
                return record.path, target
    pytest.fail("no mass image of the tiny set has Grad-CAM evidence for any class")


def test_an_upload_shows_boxes_where_the_answer_says_and_a_heatmap_that_fades(
    keyed_gateway: str, browser: Browser, api_token: str, tiny_set: DataSet
) -> None:
    image, target = _with_evidence(keyed_gateway, api_token, tiny_set)
    page = _page(browser)
    page.goto(f"{keyed_gateway}/viewer/?classifier={ALIAS}&detector={ALIAS}")
    _use_key(page, api_token)
    page.select_option("#target", target)
    page.set_input_files("#file", str(image))
    page.wait_for_selector("body[data-state=done]")

    headers = {"Authorization": f"Bearer {api_token}"}
    files = {"file": ("image", image.read_bytes())}
    detect = httpx.post(
        f"{keyed_gateway}/v1/detect",
        params={"model": ALIAS},
        files=files,
        headers=headers,
        timeout=120,
    ).json()
    classify = httpx.post(
        f"{keyed_gateway}/v1/classify",
        params={"model": ALIAS},
        files=files,
        headers=headers,
        timeout=120,
    ).json()
    assert detect["detections"], "the demo detector found nothing to draw on this image"

    # every box drawn in original pixel coordinates, as the JSON gives it ...
    rects = page.eval_on_selector_all(
        "#boxes rect",
        "rs => rs.map(r => ['x', 'y', 'width', 'height'].map(a => Number(r.getAttribute(a))))",
    )
    expected = [
        [x0, y0, x1 - x0, y1 - y0] for x0, y0, x1, y1 in (d["box"] for d in detect["detections"])
    ]
    assert len(rects) == len(expected)
    for drawn, given in zip(rects, expected, strict=True):
        assert drawn == pytest.approx(given, abs=1e-6)
    # ... and on screen where that box is on the displayed image
    canvas = _box(page, "#image")
    first = _box(page, "#boxes rect >> nth=0")
    x0, y0, x1, _ = detect["detections"][0]["box"]
    per_pixel = canvas["width"] / detect["image"]["columns"]
    assert first["x"] - canvas["x"] == pytest.approx(x0 * per_pixel, abs=3)
    assert first["y"] - canvas["y"] == pytest.approx(y0 * per_pixel, abs=3)
    assert first["width"] == pytest.approx((x1 - x0) * per_pixel, abs=4)

    # the probabilities and the versions shown are the answer's
    shown = page.inner_text("[data-class=malignant]")
    assert shown == f"{100 * classify['probabilities']['malignant']:.1f} %"
    assert f"version 1 ({ALIAS})" in page.inner_text("#models")
    assert page.is_visible("#synthetic-banner")  # demo models
    assert not page.is_visible("#ood-banner")

    # the Grad-CAM overlay is drawn, and the opacity slider changes it
    painted = (
        "c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " let n = 0; for (let i = 3; i < d.length; i += 4) n += d[i] > 0; return n; }"
    )
    assert page.get_attribute("#heatmap", "data-method") == "gradcam"
    assert page.eval_on_selector("#heatmap", painted) > 0
    assert "map is empty" not in page.inner_text("#explanation")
    opacity = "c => getComputedStyle(c).opacity"
    assert page.eval_on_selector("#heatmap", opacity) == "0.5"
    page.fill("#opacity", "90")
    assert page.eval_on_selector("#heatmap", opacity) == "0.9"
    page.uncheck("#show-heatmap")
    assert page.eval_on_selector("#heatmap", opacity) == "0"
    page.check("#show-heatmap")

    # window and level act on the image in the browser
    centre = (
        "c => Array.from(c.getContext('2d').getImageData(c.width / 2, c.height / 2, 1, 1).data)"
    )
    before = page.eval_on_selector("#image", centre)
    page.fill("#window", "8000")
    assert page.eval_on_selector("#image", centre) != before
    _screenshot(page, "viewer-1280x800.png")

    # the method switch asks for another explanation
    page.select_option("#method", "shap")
    page.wait_for_selector("#heatmap[data-method=shap]")
    assert "shap" in page.inner_text("#explanation")

    large = _page(browser, 2560, 1440)
    large.goto(f"{keyed_gateway}/viewer/?classifier={ALIAS}&detector={ALIAS}")
    _use_key(large, api_token)
    large.set_input_files("#file", str(image))
    large.wait_for_selector("body[data-state=done]")
    box = _box(large, "#image")
    assert box["height"] > 1000  # the image uses a reading-room screen
    _screenshot(large, "viewer-2560x1440.png")


def test_an_out_of_distribution_input_shows_the_banner(
    keyed_gateway: str, browser: Browser, api_token: str, tmp_path: Path
) -> None:
    noise = np.random.default_rng(0).integers(0, 256, size=(512, 384), dtype=np.uint8)
    path = tmp_path / "noise.png"
    buffer = io.BytesIO()
    Image.fromarray(noise, mode="L").save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    page = _page(browser)
    page.goto(f"{keyed_gateway}/viewer/?classifier={ALIAS}&detector={ALIAS}")
    _use_key(page, api_token)
    page.set_input_files("#file", str(path))
    page.wait_for_selector("body[data-state=done]")
    assert page.is_visible("#ood-banner")
    assert "Do not trust" in page.inner_text("#ood-banner")
    _screenshot(page, "viewer-out-of-distribution.png")


def test_without_a_key_the_viewer_says_what_is_missing(
    keyed_gateway: str, browser: Browser, tiny_set: DataSet
) -> None:
    page = _page(browser)
    page.goto(f"{keyed_gateway}/viewer/")
    # keyboard first: the skip link, then the controls, each with a visible focus ring
    page.keyboard.press("Tab")
    focused = (
        "() => [document.activeElement.className,"
        " getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert page.evaluate(focused) == ["skip", "solid"]
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "file"
    unlabelled = (
        "() => [...document.querySelectorAll('input, select')]"
        ".filter(e => !e.labels?.length).map(e => e.id)"
    )
    assert page.evaluate(unlabelled) == []
    page.set_input_files("#file", str(_mass_image(tiny_set)))
    page.wait_for_selector("body[data-state=error]")
    assert "401" in page.inner_text("#status")
    assert "API key" in page.inner_text("#status")


def test_the_registry_page_lists_versions_cards_and_the_audit_log(
    keyed_gateway: str, browser: Browser, api_token: str
) -> None:
    page = _page(browser)
    page.goto(f"{keyed_gateway}/viewer/registry.html")
    _use_key(page, api_token)
    page.wait_for_selector("button.model[data-name=classifier]")
    page.click("button.model[data-name=detector]")
    page.wait_for_selector("#audit table")
    assert ALIAS in page.inner_text("#versions")
    assert "alias.set" in page.inner_text("#audit")
    card = page.frame_locator("#card")
    assert "detector" in card.locator("body").inner_text().lower()
    # a read-only key cannot move an alias: the gateway's 403 is shown, nothing changes
    page.fill("#promote input[name=reason]", "browser test")
    page.click("#promote button[type=submit]")
    page.wait_for_selector("#status[data-kind=error]")
    assert "403" in page.inner_text("#status")
    _screenshot(page, "registry-1280x800.png")


def test_a_study_from_the_pacs_shows_four_views_and_the_breasts(
    pacs_viewer_gateway: str, browser: Browser, api_token: str, study: Study
) -> None:
    page = _page(browser)
    page.goto(f"{pacs_viewer_gateway}/viewer/?classifier={ALIAS}&detector={ALIAS}")
    _use_key(page, api_token)
    page.fill("#study-uid", study.uid)
    page.click("#study-form button")
    page.wait_for_selector("#study .views")
    views = page.locator("#study article.view h3").all_inner_texts()
    assert views == ["R CC", "L CC", "R MLO", "L MLO"]  # right breast on the left, as hung
    breasts = page.locator("#study tbody th").all_inner_texts()
    assert sorted(breasts) == ["L", "R"]
    assert "4 images analysed" in page.inner_text("#status")
    _screenshot(page, "viewer-study.png")
