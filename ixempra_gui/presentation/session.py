"""Qt-free: one patient's order in the window, from the first entry to New order (issue 12.9).

- ``new_order_question``: whether File → New order must ask before it clears the window, and
  what it asks. It asks only when a dose is ready on screen and that very order (the same form
  and the same preferences) was neither printed or saved as PDF nor verified: then clearing
  would lose work nobody has acted on. Anything else is cleared without a question.
- ``identifier_starts_new_order``: typing another identifier into a verified order is a new
  patient, not an edit of the verified one: the rest is cleared, the new identifier kept.
- ``window_title``: the identifier in the title bar (and the task bar), so the pharmacist sees
  whose order is open from anywhere; shortened, and never a control or invisible character.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ixempra_gui import APP_NAME

if TYPE_CHECKING:
    from ixempra_gui.presentation.order_view import FormInput
    from ixempra_gui.presentation.preferences import Preferences

    #: An order as it stood when something was done with it: the form and the preferences.
    Snapshot = tuple[FormInput, Preferences]

#: At most this many characters of the identifier in the title (the form keeps it whole).
TITLE_ID_CHARS = 40
#: Categories never shown in a title: control, format (bidirectional overrides, zero-width),
#: surrogate, private use, unassigned; line and paragraph separators become spaces.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_BLANK = frozenset({"Zs", "Zl", "Zp"})


@dataclass(frozen=True)
class Question:
    """What New order asks before it discards a dose nobody has acted on."""

    text: str
    detail: str


def new_order_question(
    ready: bool,
    now: Snapshot,
    printed: Snapshot | None,
    verified: Snapshot | None,
    dose: str,
) -> Question | None:
    """The question to ask before New order clears the window, or None (clear at once).

    ``ready``: a dose is ready on screen; ``now``: the order as it stands; ``printed``: the last
    order whose worksheet was printed or saved as PDF; ``verified``: the last order signed in
    the double check. Either counts only for the very order on screen (an edit since then is
    another dose, not yet acted on).
    """
    if not ready or now in (printed, verified):
        return None
    form = now[0]
    patient = shown_identifier(form.patient_id)
    whose = f" for {patient}" if patient else ""
    return Question(
        f"Discard the dose on screen ({dose}{whose})? It was neither printed, saved as PDF nor "
        "verified.",
        "New order clears every entry of this patient on both tabs: the order, its ticks and "
        "dates, the coverage answers, the identifier and the verification. Site preferences "
        "are kept.",
    )


def identifier_starts_new_order(
    form: FormInput, verified: Snapshot | None, prefs: Preferences
) -> bool:
    """True when the identifier is the only change to the order that was verified (with the
    preferences it was verified with): another patient's identifier typed over it."""
    if verified is None:
        return False
    signed_form, signed_prefs = verified
    if prefs != signed_prefs or form.patient_id.strip(" ") == signed_form.patient_id.strip(" "):
        return False
    return replace(form, patient_id=signed_form.patient_id) == signed_form


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
