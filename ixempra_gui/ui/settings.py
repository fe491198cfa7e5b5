"""QSettings at an explicit INI path: the site's preferences and the window's geometry.

The path is explicit (not Qt's per-platform default, which is the registry on Windows) so a
site can inspect, copy or lock it down: ``$IXEMPRA_CONFIG_DIR/settings.ini`` when that variable
is set (tests point it at a temporary folder), else ``<user config dir>/ixempra-gui/settings.ini``
(site_settings.py names the folder without Qt: the CLIs read the site settings and the journal
keeps its anchor there). The folder is created owner-only (0700, parents included) and the file
is made 0600 after every save (QSettings writes a new file through a rename, with the umask's
mode). Patient data is never stored here.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from ixempra_gui.presentation.preferences import Preferences, from_mapping, to_mapping
from ixempra_gui.system import site_settings
from ixempra_gui.system.private_files import ensure_private_folder, make_private
from ixempra_gui.ui import loader

if TYPE_CHECKING:  # QByteArray: imported where used (start-up, bench/startup.py)
    from PySide6.QtCore import QByteArray

CONFIG_DIR_ENV = site_settings.CONFIG_DIR_ENV
_PREFS_GROUP = "preferences"
_WINDOW_GROUP = "window"
_NOTICES_KEY = "notices/seen"


def settings_path() -> Path:
    """Where the INI file lives (see the module docstring)."""
    return site_settings.settings_file()


def open_settings(path: Path | None = None) -> QSettings:
    return QSettings(str(path or settings_path()), QSettings.Format.IniFormat)


def _sync_private(settings: QSettings) -> None:
    """Write the file, its folder created 0700, and make it 0600 (issue 13.8)."""
    path = Path(settings.fileName())
    with contextlib.suppress(OSError):  # QSettings reports its own failure (status)
        ensure_private_folder(path.parent)
    settings.sync()  # QSettings writes through a temporary file and renames it
    make_private(path)


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
    _sync_private(settings)


def save_window_state(settings: QSettings, geometry: QByteArray, splitter: QByteArray) -> None:
    settings.setValue(f"{_WINDOW_GROUP}/geometry", geometry)
    settings.setValue(f"{_WINDOW_GROUP}/splitter", splitter)
    _sync_private(settings)


def window_state(settings: QSettings) -> tuple[QByteArray | None, QByteArray | None]:
    def read(key: str) -> QByteArray | None:
        value = settings.value(f"{_WINDOW_GROUP}/{key}")
        if value is None:  # nothing stored (a first run): QByteArray is not needed
            return None
        byte_array = loader.QByteArray
        return value if isinstance(value, byte_array) and not value.isEmpty() else None

    return read("geometry"), read("splitter")


def load_seen_notices(settings: QSettings) -> frozenset[str]:
    """The once-per-site notices already shown here (presentation/alerts.py)."""
    stored = str(settings.value(_NOTICES_KEY, "") or "")
    return frozenset(code for code in stored.split(",") if code)


def remember_notices(settings: QSettings, codes: frozenset[str]) -> None:
    """Add ``codes`` to the notices shown here; the file is written only when they are new."""
    seen = load_seen_notices(settings)
    if codes <= seen:
        return
    settings.setValue(_NOTICES_KEY, ",".join(sorted(seen | codes)))
    _sync_private(settings)
