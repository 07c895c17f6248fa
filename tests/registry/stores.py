"""What a local BentoML model store holds, read from its folder, for the tests that check
which versions a machine has (the registry's shared-store tests, the replica topology)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["stored_tags"]


def stored_tags(store: Path) -> list[str]:
    """The tags in the store folder ``store`` (``$BENTOML_HOME/models``): one folder per tag
    version under a folder per name; BentoML's ``latest`` files and the registry's lock files
    are no tags. A store never opened has none."""
    if not store.exists():
        return []
    return sorted(
        f"{name.name}:{version.name}"
        for name in store.iterdir()
        if name.is_dir()
        for version in name.iterdir()
        if version.is_dir()
    )
