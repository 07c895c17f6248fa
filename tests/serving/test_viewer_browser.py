"""The built-in viewer and registry pages in a real headless browser (Debian's chromium driven by
Playwright), against a real gateway with keys on, in front of the real task services.

Screenshots go to ``$MAMMOCAD_TEST_ARTIFACTS/viewer`` (default ``test-artifacts/viewer``).
"""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Browser, FloatRect, Page, expect, sync_playwright

from mammocad.datasets.records import DataSet
from serving.browser import CHROMIUM_FLAGS, chromium_executable
from serving.processes import ServiceProcess
from tests.orthanc import Orthanc
from tests.serving.conftest import ServingWorld, Stack, Study, gateway_on

pytestmark = pytest.mark.integration

CHROMIUM = chromium_executable()
if CHROMIUM is None:
    pytest.skip("Debian's chromium is absent (apt-get install chromium)", allow_module_level=True)

ALIAS = "viewer-demo"
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
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_FLAGS))
        try:
            yield launched
        finally:
            launched.close()


def _page(browser: Browser, width: int = 1280, height: int = 800) -> Page:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(ANSWER_TIMEOUT_MS)
    return page


def _open_viewer(browser: Browser, gateway: str, token: str) -> Page:
    page = _page(browser)
    page.goto(f"{gateway}/viewer/?classifier={ALIAS}&detector={ALIAS}")
    _use_key(page, token)
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


def _noise_png(folder: Path) -> Path:
    """Grey noise: not a mammogram, flagged out of distribution."""
    noise = np.random.default_rng(0).integers(0, 256, size=(512, 384), dtype=np.uint8)
    path = folder / "noise.png"
    buffer = io.BytesIO()
    Image.fromarray(noise, mode="L").save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def _answer(gateway: str, token: str, route: str, image: Path) -> dict[str, Any]:
    """The gateway's JSON answer for ``image`` at ``/v1/<route>`` with the pages' models."""
    response = httpx.post(
        f"{gateway}/v1/{route}",
        params={"model": ALIAS},
        files={"file": ("image", image.read_bytes())},
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _drawn_boxes(page: Page, svg: str) -> list[list[float]]:
    """The boxes drawn in ``svg`` as [x, y, width, height] in the svg's (original) pixels."""
    drawn: list[list[float]] = page.eval_on_selector_all(
        f"{svg} rect",
        "rs => rs.map(r => ['x', 'y', 'width', 'height'].map(a => Number(r.getAttribute(a))))",
    )
    return drawn


def _as_drawn(detections: list[dict[str, Any]]) -> list[list[float]]:
    return [[x0, y0, x1 - x0, y1 - y0] for x0, y0, x1, y1 in (d["box"] for d in detections)]


def _same_boxes(drawn: list[list[float]], detections: list[dict[str, Any]]) -> bool:
    """Whether the boxes drawn are exactly the answer's, in its order."""
    expected = _as_drawn(detections)
    return len(drawn) == len(expected) and all(
        d == pytest.approx(e, abs=1e-6) for d, e in zip(drawn, expected, strict=True)
    )


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


PAINTED = (
    "c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
    " let n = 0; for (let i = 3; i < d.length; i += 4) n += d[i] > 0; return n; }"
)
"""How many pixels of a canvas are not transparent."""


def test_an_upload_shows_boxes_where_the_answer_says_and_a_heatmap_that_fades(
    keyed_gateway: str, browser: Browser, api_token: str, tiny_set: DataSet
) -> None:
    image, target = _with_evidence(keyed_gateway, api_token, tiny_set)
    page = _open_viewer(browser, keyed_gateway, api_token)
    page.select_option("#target", target)
    page.set_input_files("#file", str(image))
    page.wait_for_selector("body[data-state=done]")

    detect = _answer(keyed_gateway, api_token, "detect", image)
    classify = _answer(keyed_gateway, api_token, "classify", image)
    assert detect["detections"], "the demo detector found nothing to draw on this image"

    # every box drawn in original pixel coordinates, as the JSON gives it ...
    assert _same_boxes(_drawn_boxes(page, "#boxes"), detect["detections"])
    # ... and on screen where that box is on the displayed image
    canvas = _box(page, "#image")
    first = _box(page, "#boxes rect >> nth=0")
    x0, y0, x1, _ = detect["detections"][0]["box"]
    per_pixel = canvas["width"] / detect["image"]["columns"]
    assert first["x"] - canvas["x"] == pytest.approx(x0 * per_pixel, abs=3)
    assert first["y"] - canvas["y"] == pytest.approx(y0 * per_pixel, abs=3)
    assert first["width"] == pytest.approx((x1 - x0) * per_pixel, abs=4)
    page.uncheck("#show-boxes")
    assert page.eval_on_selector("#boxes", "s => getComputedStyle(s).visibility") == "hidden"
    page.check("#show-boxes")

    # the probabilities and the versions shown are the answer's
    shown = page.inner_text("[data-class=malignant]")
    assert shown == f"{100 * classify['probabilities']['malignant']:.1f} %"
    assert f"version 1 ({ALIAS})" in page.inner_text("#models")
    assert page.is_visible("#synthetic-banner")  # demo models
    assert not page.is_visible("#ood-banner")

    # the Grad-CAM overlay is drawn, and the opacity slider changes it
    assert page.get_attribute("#heatmap", "data-method") == "gradcam"
    assert page.eval_on_selector("#heatmap", PAINTED) > 0
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

    # the model card opens over the page in a sandboxed frame, and Escape closes it
    page.click("#models button[data-name=classifier]")
    page.wait_for_selector("#card-dialog[open]")
    assert page.get_attribute("#card-dialog iframe", "sandbox") == ""
    card = page.frame_locator("#card-dialog iframe").locator("body")
    expect(card).to_contain_text("classifier")
    assert page.evaluate("() => document.activeElement.closest('dialog')?.id") == "card-dialog"
    _screenshot(page, "viewer-model-card.png")
    page.keyboard.press("Escape")
    expect(page.locator("#card-dialog")).not_to_have_attribute("open", "")
    assert page.evaluate("() => document.activeElement.dataset.name") == "classifier"

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


# Holds back the answer of the first request whose URL contains window.__slow.match, for
# window.__slow.ms after it arrived: the late answer of an earlier request, on demand.
SLOW_FETCH = """
window.__slow = { match: null, ms: 0, held: 0, released: 0, calls: 0 };
const realFetch = window.fetch.bind(window);
window.fetch = async (input, init) => {
  const slow = window.__slow;
  slow.calls += 1;
  const held = slow.match !== null && String(input).includes(slow.match);
  if (held) { slow.match = null; slow.held += 1; }
  const response = await realFetch(input, init);
  if (held) { await new Promise((r) => setTimeout(r, slow.ms)); slow.released += 1; }
  return response;
};
"""


def test_late_answers_never_draw_over_the_current_image(
    keyed_gateway: str, browser: Browser, api_token: str, tiny_set: DataSet, tmp_path: Path
) -> None:
    first, second = _mass_image(tiny_set), _noise_png(tmp_path)
    first_boxes = _answer(keyed_gateway, api_token, "detect", first)["detections"]
    second_boxes = _answer(keyed_gateway, api_token, "detect", second)["detections"]
    assert _as_drawn(first_boxes) != _as_drawn(second_boxes), "the images need different boxes"
    page = _page(browser)
    page.add_init_script(SLOW_FETCH)
    page.goto(f"{keyed_gateway}/viewer/?classifier={ALIAS}&detector={ALIAS}")
    _use_key(page, api_token)

    # an upload whose detections come back only after the next upload was answered in full
    page.evaluate("() => Object.assign(window.__slow, { match: '/v1/detect', ms: 6000 })")
    page.set_input_files("#file", str(first))
    page.wait_for_function("() => window.__slow.held === 1")
    page.set_input_files("#file", str(second))
    page.wait_for_function(
        "() => document.body.dataset.state === 'done'"
        " && document.getElementById('status').textContent.startsWith('noise.png')"
    )
    page.wait_for_function("() => window.__slow.released === 1")
    calls = page.evaluate("() => window.__slow.calls")
    page.wait_for_timeout(2000)  # time for a stale answer to draw and explain, were it used
    assert _same_boxes(_drawn_boxes(page, "#boxes"), second_boxes)
    assert page.inner_text("#status").startswith("noise.png: done")
    assert page.evaluate("() => window.__slow.calls") == calls  # no explanation of the first

    # Grad-CAM -> SHAP (answered late) -> Grad-CAM: the Grad-CAM stays
    page.evaluate("() => Object.assign(window.__slow, { match: 'method=shap', ms: 6000 })")
    page.select_option("#method", "shap")
    page.wait_for_function("() => window.__slow.held === 2")
    page.select_option("#method", "gradcam")
    page.wait_for_selector("#heatmap[data-method=gradcam]")
    page.wait_for_function("() => window.__slow.released === 2")
    page.wait_for_timeout(1000)
    assert page.get_attribute("#heatmap", "data-method") == "gradcam"
    assert page.inner_text("#explanation").startswith("gradcam")


def test_a_refused_file_clears_what_the_last_image_showed(
    keyed_gateway: str, browser: Browser, api_token: str, tiny_set: DataSet, tmp_path: Path
) -> None:
    page = _open_viewer(browser, keyed_gateway, api_token)
    page.set_input_files("#file", str(_mass_image(tiny_set)))
    page.wait_for_selector("body[data-state=done]")
    assert _drawn_boxes(page, "#boxes"), "the demo detector found nothing to draw"
    assert page.get_attribute("#heatmap", "data-method") == "gradcam"

    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image at all")
    page.set_input_files("#file", str(broken))
    page.wait_for_selector("body[data-state=error]")
    status = page.inner_text("#status")
    assert "broken.png" in status and "415" in status  # the gateway's problem, shown
    assert _drawn_boxes(page, "#boxes") == []
    assert not page.is_visible("#image-wrap")
    assert page.get_attribute("#heatmap", "data-method") == ""
    assert page.eval_on_selector("#heatmap", PAINTED) == 0
    for panel in ("#classification", "#detections", "#explanation", "#ood", "#models"):
        assert page.inner_text(panel) == "No image yet.", panel
    assert not page.is_visible("#synthetic-banner")
    # nothing is left to explain: the refused file is not sent again on a method switch
    page.select_option("#method", "shap")
    page.wait_for_timeout(500)
    assert page.inner_text("#explanation") == "No image yet."


def test_an_out_of_distribution_input_shows_the_banner_and_its_reasons(
    keyed_gateway: str, browser: Browser, api_token: str, tmp_path: Path
) -> None:
    noise = _noise_png(tmp_path)
    answers = [_answer(keyed_gateway, api_token, route, noise) for route in ("classify", "detect")]
    reasons = {reason for answer in answers if answer["ood"] for reason in answer["ood"]["reasons"]}
    assert reasons, "the demo models do not flag grey noise"
    page = _open_viewer(browser, keyed_gateway, api_token)
    page.set_input_files("#file", str(noise))
    page.wait_for_selector("body[data-state=done]")
    assert page.is_visible("#ood-banner")
    banner = page.inner_text("#ood-banner")
    assert "Do not trust" in banner
    for reason in reasons:
        assert reason in banner
    _screenshot(page, "viewer-out-of-distribution.png")


def test_an_inference_only_key_still_shows_the_synthetic_training_banner(
    keyed_gateway: str,
    browser: Browser,
    serving_world: ServingWorld,
    tiny_set: DataSet,
) -> None:
    with serving_world.registry() as registry:
        _, token = registry.create_key("viewer-inference", ["inference"], actor="tests")
    page = _open_viewer(browser, keyed_gateway, token)
    page.set_input_files("#file", str(_mass_image(tiny_set)))
    page.wait_for_selector("body[data-state=done]")
    banner = page.inner_text("#synthetic-banner")
    assert "synthetic data only" in banner
    assert "classifier v1" in banner and "detector v1" in banner
    # the model card needs models:read: the page says so instead of failing silently
    page.click("#models button[data-name=classifier]")
    page.wait_for_selector("#status[data-kind=error]")
    assert "403" in page.inner_text("#status")
    assert not page.is_visible("#card-dialog")


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
    # no key: nothing can be moved, and the page says why
    assert page.is_disabled("#promote button[type=submit]")
    assert "models:promote" in page.inner_text("#promote-note")
    _use_key(page, api_token)
    page.wait_for_selector("button.model[data-name=classifier]")
    assert page.is_enabled("#promote button[type=submit]")
    page.click("button.model[data-name=detector]")
    expect(page.locator("button.model[data-name=detector]")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("#model")).to_contain_text("detector")
    page.wait_for_selector("#versions[data-model=detector] table")
    page.wait_for_selector("#audit[data-model=detector] table")
    page.wait_for_selector("#card[data-model=detector]")
    assert ALIAS in page.inner_text("#versions")
    assert "alias.set" in page.inner_text("#audit")
    card = page.frame_locator("#card")
    assert "detector" in card.locator("body").inner_text().lower()
    # a read-only key cannot move an alias: the gateway's 403 is shown, the form goes off
    page.fill("#promote input[name=reason]", "browser test")
    page.click("#promote button[type=submit]")
    page.wait_for_selector("#status[data-kind=error]")
    assert "403" in page.inner_text("#status")
    assert page.is_disabled("#promote button[type=submit]")
    assert "models:promote" in page.inner_text("#promote-note")
    _screenshot(page, "registry-1280x800.png")


def test_a_study_from_the_pacs_shows_four_views_and_the_breasts(
    pacs_viewer_gateway: str, browser: Browser, api_token: str, study: Study
) -> None:
    answer = httpx.post(
        f"{pacs_viewer_gateway}/v1/studies/{study.uid}/analyse",
        params={"classifier": ALIAS, "detector": ALIAS, "store": "false", "heatmaps": "false"},
        headers={"Authorization": f"Bearer {api_token}"},
        timeout=300,
    ).json()
    page = _open_viewer(browser, pacs_viewer_gateway, api_token)
    page.fill("#study-uid", study.uid)
    page.click("#study-form button")
    page.wait_for_selector("body[data-state=done]")
    views = page.locator("#study article.view h3").all_inner_texts()
    assert views == ["R CC", "L CC", "R MLO", "L MLO"]  # right breast on the left, as hung
    breasts = page.locator("#study tbody th").all_inner_texts()
    assert sorted(breasts) == ["L", "R"]
    assert "4 images analysed" in page.inner_text("#status")

    # four images side by side, each painted from its own pixels
    canvases = page.locator("#study article.view canvas")
    assert canvases.count() == 4
    placed = [canvases.nth(i).bounding_box() for i in range(4)]
    assert all(box is not None and box["width"] > 50 for box in placed)
    tops = {round(box["y"]) for box in placed if box is not None}
    lefts = [box["x"] for box in placed if box is not None]
    assert len(tops) == 1 and lefts == sorted(lefts)  # one row, in hanging order
    assert all(canvases.nth(i).evaluate(PAINTED) > 0 for i in range(4))

    # each view's boxes are its own answer's, drawn on its image
    by_sop = {image["sop_instance_uid"]: image for image in answer["images"]}
    articles = page.locator("#study article.view")
    drawn_any = False
    for i in range(4):
        sop = articles.nth(i).get_attribute("data-sop")
        assert sop is not None
        detections = by_sop[sop]["detection"]["detections"]
        selector = f"#study article.view[data-sop='{sop}'] svg"
        assert _same_boxes(_drawn_boxes(page, selector), detections)
        if detections:
            drawn_any = True
            canvas = _box(page, f"#study article.view[data-sop='{sop}'] canvas")
            first = _box(page, f"{selector} rect >> nth=0")
            x0, y0, _, _ = detections[0]["box"]
            per_pixel = canvas["width"] / by_sop[sop]["detection"]["image"]["columns"]
            assert first["x"] - canvas["x"] == pytest.approx(x0 * per_pixel, abs=3)
            assert first["y"] - canvas["y"] == pytest.approx(y0 * per_pixel, abs=3)
    assert drawn_any, "the demo detector found no mass in the study: no box to check"
    assert page.is_visible("#synthetic-banner")
    _screenshot(page, "viewer-study.png")
