"""Where the app's settings live, and the site settings a hospital's IT sets in ``settings.ini``.
Qt-free: the CLIs and the journal read them too (the window writes the file through QSettings,
ui/settings.py, at the path given here).

The folder: ``$IXEMPRA_CONFIG_DIR`` when set (tests point it at a temporary folder), else the
user's configuration folder + ``ixempra-gui``, the folder Qt's GenericConfigLocation names
(Linux ``$XDG_CONFIG_HOME`` or ``~/.config``, Windows ``%LOCALAPPDATA%``, macOS
``~/Library/Preferences``). The journal's anchor (journal/anchor.py) lives there too.

Site settings, group ``[site]`` (not shown in Preferences: set once by the site):

- ``patient_id_pattern``: a regular expression every patient identifier must match whole, after
  the spaces around it are trimmed (default: ASCII letters, digits, ``.``, ``_``, ``-`` and single
  inner spaces, 1–40 characters). Write it in double quotes, backslashes doubled, as QSettings
  stores strings (``"[A-Z]{3}[0-9]{7}"``): unquoted, a comma would make it a list. Characters
  outside printable ASCII are refused whatever the pattern says (look-alikes, see
  journal/identifiers.py).
- ``pdf_name_with_patient_id``: ``true`` to put the patient identifier in the default PDF file
  names (default ``false``: file names are seen in folder listings and recent-file lists).

A setting that cannot be used keeps its default and is reported, never silently used.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

CONFIG_DIR_ENV = "IXEMPRA_CONFIG_DIR"
APP_DIR_NAME = "ixempra-gui"
SETTINGS_FILE = "settings.ini"
SITE_GROUP = "site"
#: The longest identifier any site pattern may accept (keys and file names stay sane).
MAX_PATTERN_ID_CHARS = 200


def user_config_base() -> Path:
    """The folder Qt's QStandardPaths.GenericConfigLocation names on this platform."""
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA", "").strip()
        return Path(local) if local else Path.home() / "AppData" / "Local"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Preferences"
    xdg = os.environ.get("XDG_CONFIG_HOME", "").strip()
    return Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".config"


def config_dir() -> Path:
    """The app's settings folder (see the module docstring)."""
    override = os.environ.get(CONFIG_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    return user_config_base() / APP_DIR_NAME


def settings_file() -> Path:
    return config_dir() / SETTINGS_FILE


_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b"}


def _ini_value(raw: str) -> str | list[str]:
    """One value as QSettings reads a string: quoted (escapes undone) or bare (a comma makes
    a list, which the caller refuses)."""
    text = raw.strip()
    if text.startswith('"'):
        out: list[str] = []
        i = 1
        while i < len(text):
            ch = text[i]
            if ch == '"':
                return "".join(out)
            if ch == "\\" and i + 1 < len(text):
                out.append(_ESCAPES.get(text[i + 1], text[i + 1]))
                i += 2
                continue
            out.append(ch)
            i += 1
        return "".join(out)
    if "," in text:
        return [part.strip() for part in text.split(",")]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


def read_group(path: Path, group: str) -> dict[str, str | list[str]]:
    """The keys of one ``[group]`` of an INI file QSettings wrote; {} when there is none."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return {}
    found: dict[str, str | list[str]] = {}
    current = None
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped[0] in ";#":
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            current = stripped[1:-1].strip()
            continue
        if current != group or "=" not in stripped:
            continue
        key, value = stripped.split("=", 1)
        found[key.strip()] = _ini_value(value)
    return found


@dataclass(frozen=True)
class SiteSettings:
    """The site settings (module docstring); None pattern: the built-in default rule."""

    patient_id_pattern: str | None = None
    pdf_name_with_patient_id: bool = False


_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


def parse_flag(text: str) -> bool | None:
    """A true/false setting as stored (true, yes, on, 1 / false, no, off, 0); None otherwise."""
    value = text.strip().lower()
    return True if value in _TRUE else False if value in _FALSE else None


def parse_site_settings(stored: dict[str, str | list[str]]) -> tuple[SiteSettings, list[str]]:
    """Site settings from the stored values; problems name the key and what is accepted."""
    problems: list[str] = []
    pattern: str | None = None
    raw = stored.get("patient_id_pattern")
    if isinstance(raw, list):
        problems.append(
            "patient_id_pattern: write the pattern in double quotes (unquoted, its comma "
            "splits it); the default rule is used"
        )
    elif raw is not None and raw.strip():
        if not raw.isascii() or not raw.isprintable():
            problems.append("patient_id_pattern: printable ASCII only; the default rule is used")
        else:
            try:
                re.compile(raw, re.ASCII)
                pattern = raw
            except re.error as exc:
                problems.append(
                    f"patient_id_pattern: not a regular expression ({exc}); the default rule "
                    "is used"
                )
    with_id = False
    flag = stored.get("pdf_name_with_patient_id")
    if isinstance(flag, str) and flag.strip():
        value = flag.strip().lower()
        if value in _TRUE:
            with_id = True
        elif value not in _FALSE:
            problems.append(
                "pdf_name_with_patient_id: true or false; false (no identifier) is used"
            )
    elif isinstance(flag, list):
        problems.append("pdf_name_with_patient_id: true or false; false (no identifier) is used")
    return SiteSettings(pattern, with_id), problems


_CACHE: dict[tuple[str, int, int], tuple[SiteSettings, tuple[str, ...]]] = {}


def load_site_settings(path: Path | None = None) -> tuple[SiteSettings, tuple[str, ...]]:
    """The site settings of ``settings.ini`` (re-read when the file changes)."""
    target = path or settings_file()
    try:
        st = target.stat()
        stamp = (str(target), st.st_mtime_ns, st.st_size)
    except OSError:
        return SiteSettings(), ()
    cached = _CACHE.get(stamp)
    if cached is None:
        settings, problems = parse_site_settings(read_group(target, SITE_GROUP))
        cached = (settings, tuple(problems))
        _CACHE.clear()
        _CACHE[stamp] = cached
    return cached
