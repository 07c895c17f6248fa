"""Where mammocad keeps what it generates (example data, caches, trained models).

One function so that every command and library call agrees on the folder: ``$MAMMOCAD_HOME``,
else ``./var`` (ignored by git).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DEFAULT_STATE_HOME", "HOME_ENV", "bentoml_home", "state_home"]

HOME_ENV = "MAMMOCAD_HOME"
DEFAULT_STATE_HOME = Path("var")


def state_home() -> Path:
    """The state folder: ``$MAMMOCAD_HOME`` if set and non-empty, else ``./var``."""
    return Path(os.environ.get(HOME_ENV) or DEFAULT_STATE_HOME)


def bentoml_home() -> Path:
    """The BentoML home (its model store is ``models/`` inside): ``$BENTOML_HOME`` if set, else
    ``bentoml/`` in the state folder. The registry copies versions there and the services load
    them from there, so a model released or registered by a command is the one ``mammocad
    serve`` finds (BentoML's own default, ``~/bentoml``, would split them)."""
    return Path(os.environ.get("BENTOML_HOME") or state_home() / "bentoml")
