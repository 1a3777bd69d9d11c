"""One place that finds shipped files, from the source tree and from a PyInstaller bundle alike."""

from __future__ import annotations

import sys
from pathlib import Path


def app_root() -> Path:
    """The folder holding resources/, forms/ and server_schema/.

    In a PyInstaller bundle that is the unpacked bundle folder (``sys._MEIPASS``); from source or an
    editable install it is the project root, one level above the ``client`` package.
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    return app_root().joinpath("resources", *parts)


def form_path(name: str) -> Path:
    return app_root().joinpath("forms", name)


def schema_path(*parts: str) -> Path:
    return app_root().joinpath("server_schema", *parts)
