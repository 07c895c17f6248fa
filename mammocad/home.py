"""Where mammocad keeps what it generates (example data, caches, trained models).

One function so that every command and library call agrees on the folder: ``$MAMMOCAD_HOME``,
else ``./var`` (ignored by git).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DEFAULT_STATE_HOME", "HOME_ENV", "state_home"]

HOME_ENV = "MAMMOCAD_HOME"
DEFAULT_STATE_HOME = Path("var")


def state_home() -> Path:
    """The state folder: ``$MAMMOCAD_HOME`` if set and non-empty, else ``./var``."""
    return Path(os.environ.get(HOME_ENV) or DEFAULT_STATE_HOME)
