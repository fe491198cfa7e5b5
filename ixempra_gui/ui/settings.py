"""QSettings at an explicit INI path: the site's preferences and the window's geometry.

The path is explicit (not Qt's per-platform default, which is the registry on Windows) so a
site can inspect, copy or lock it down: ``$IXEMPRA_CONFIG_DIR/settings.ini`` when that variable
is set (tests point it at a temporary folder), else ``<user config dir>/ixempra-gui/settings.ini``.
Patient data is never stored here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from ixempra_gui.preferences import Preferences, from_mapping, to_mapping

if TYPE_CHECKING:  # QByteArray, QStandardPaths: imported where used (start-up, bench/startup.py)
    from PySide6.QtCore import QByteArray

CONFIG_DIR_ENV = "IXEMPRA_CONFIG_DIR"
_PREFS_GROUP = "preferences"
_WINDOW_GROUP = "window"


def settings_path() -> Path:
    """Where the INI file lives (see the module docstring)."""
    override = os.environ.get(CONFIG_DIR_ENV)
    if override:
        return Path(override) / "settings.ini"
    from PySide6.QtCore import QStandardPaths

    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericConfigLocation)
    return Path(base) / "ixempra-gui" / "settings.ini"


def open_settings(path: Path | None = None) -> QSettings:
    return QSettings(str(path or settings_path()), QSettings.Format.IniFormat)


def load_preferences(settings: QSettings) -> tuple[Preferences, tuple[str, ...]]:
    """The stored preferences; unusable stored values keep their default and are reported."""
    settings.beginGroup(_PREFS_GROUP)
    try:
        stored = {key: str(settings.value(key)) for key in settings.childKeys()}
    finally:
        settings.endGroup()
    return from_mapping(stored)


def save_preferences(settings: QSettings, prefs: Preferences) -> None:
    settings.beginGroup(_PREFS_GROUP)
    try:
        for key, value in to_mapping(prefs).items():
            settings.setValue(key, value)
    finally:
        settings.endGroup()
    settings.sync()  # QSettings writes through a temporary file and renames it


def save_window_state(settings: QSettings, geometry: QByteArray, splitter: QByteArray) -> None:
    settings.setValue(f"{_WINDOW_GROUP}/geometry", geometry)
    settings.setValue(f"{_WINDOW_GROUP}/splitter", splitter)
    settings.sync()


def window_state(settings: QSettings) -> tuple[QByteArray | None, QByteArray | None]:
    def read(key: str) -> QByteArray | None:
        value = settings.value(f"{_WINDOW_GROUP}/{key}")
        if value is None:  # nothing stored (a first run): QByteArray is not needed
            return None
        from PySide6.QtCore import QByteArray

        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    return read("geometry"), read("splitter")
