"""The components' browser scripts (`app_pages/js/`), read once."""

from __future__ import annotations

from importlib import resources


def read_script(name: str) -> str:
    """A browser script or style sheet of the pages' components (``app_pages/js/``)."""
    return resources.files("app_pages").joinpath("js", name).read_text(encoding="utf-8")
