"""Per-PC and per-user settings in an INI file under the user's config folder (platformdirs).

Passwords are never stored here. Keys are namespaced by server and login so two people sharing a
PC, or one person on two company servers, keep separate layouts and column choices.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from PySide6.QtCore import QSettings


def config_dir() -> Path:
    path = platformdirs.user_config_path("yiwei", appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def machine_settings() -> QSettings:
    """Settings of this PC: known servers, last user, printers per document type."""
    return QSettings(str(config_dir() / "yiwei.ini"), QSettings.Format.IniFormat)


class UserSettings:
    """Settings of one login on one server (layout, column choices, filters)."""

    def __init__(self, scope: str, store: QSettings | None = None):
        self.scope = scope.replace("/", "_").replace("\\", "_")
        self._store = store or machine_settings()

    def _key(self, key: str) -> str:
        return f"users/{self.scope}/{key}"

    def value(self, key: str, default=None):
        return self._store.value(self._key(key), default)

    def set_value(self, key: str, value) -> None:
        self._store.setValue(self._key(key), value)

    def sync(self) -> None:
        self._store.sync()
