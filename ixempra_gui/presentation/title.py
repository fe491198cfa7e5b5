"""Qt-free: whose order is open, in the title bar (and the task bar) from anywhere.

The identifier is shortened and never shows a control or invisible character: a bidirectional
override would reverse it, an escape sequence would reach the terminal of a remote session.
"""

from __future__ import annotations

import unicodedata

from ixempra_gui import APP_NAME

#: At most this many characters of the identifier in the title (the form keeps it whole).
TITLE_ID_CHARS = 40
#: Categories never shown in a title: control, format (bidirectional overrides, zero-width),
#: surrogate, private use, unassigned; line and paragraph separators become spaces.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_BLANK = frozenset({"Zs", "Zl", "Zp"})


def shown_identifier(patient_id: str, limit: int = TITLE_ID_CHARS) -> str:
    """The identifier as a title shows it: control and invisible characters dropped, every
    run of blanks one space, trimmed, and shortened with '…' past ``limit`` characters."""
    kept: list[str] = []
    for ch in patient_id:
        category = unicodedata.category(ch)
        if category in _BLANK or ch in "\t\n\r\v\f":
            if kept and kept[-1] != " ":
                kept.append(" ")
        elif category not in _HIDDEN:
            kept.append(ch)
        if len(kept) > limit + 1:  # no two spaces in a row: more than ``limit`` once trimmed
            break
    text = "".join(kept).strip(" ")
    if len(text) > limit:
        text = text[: limit - 1].rstrip(" ") + "…"
    return text


def window_title(patient_id: str) -> str:
    """'MRN 0012345 — Ixempra dosing workstation'; the application's name alone when empty."""
    shown = shown_identifier(patient_id)
    return f"{shown} — {APP_NAME}" if shown else APP_NAME
