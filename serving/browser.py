"""The headless chromium that checks and photographs the built-in viewer.

The browser tests (``tests/serving/test_viewer_browser.py``) and the README's screenshots
(``docs/screenshots.py``) drive Debian's chromium through Playwright with these flags, so the
pictures show what the tests checked. Playwright is a development dependency: nothing here
imports it, and no deployed process imports this module.
"""

from __future__ import annotations

import shutil

__all__ = ["CHROMIUM_FLAGS", "chromium_executable"]

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",  # containers and CI runners lack the user namespaces its sandbox needs
    "--disable-gpu",
    "--disable-background-networking",  # nothing but the gateway under test is contacted
    "--disable-component-update",
    "--no-first-run",
)


def chromium_executable() -> str | None:
    """Debian's chromium (``apt-get install chromium``), or None when it is absent."""
    return shutil.which("chromium") or shutil.which("chromium-browser")
