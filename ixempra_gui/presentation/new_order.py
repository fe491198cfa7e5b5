"""Qt-free: one patient's order in the window, from the first entry to New order (issue 12.9).

- ``new_order_question``: whether File → New order must ask before it clears the window, and
  what it asks. It asks only when a dose is ready on screen and that very order (the same form
  and the same preferences) was neither printed or saved as PDF nor verified: then clearing
  would lose work nobody has acted on. Anything else is cleared without a question.
- ``identifier_starts_new_order``: typing another identifier into a verified order is a new
  patient, not an edit of the verified one: the rest is cleared, the new identifier kept.
- ``fresh_form``: what a new order holds: nothing of the last patient, the dates today, the
  site's units and upper limits of normal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TypeAlias

from ixempra_gui.presentation.order_state import FormInput
from ixempra_gui.presentation.preferences import Preferences
from ixempra_gui.presentation.title import shown_identifier

#: An order as it stood when something was done with it: the form and the preferences.
Snapshot: TypeAlias = tuple[FormInput, Preferences]


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


def fresh_form(prefs: Preferences, today: str, patient_id: str = "") -> FormInput:
    """A new order: every field empty or at its first choice, the dates ``today``
    (YYYY-MM-DD), the site's default units and upper limits of normal, ``patient_id``."""
    return FormInput(
        patient_id=patient_id,
        administered_on=today,
        height_measured_on=today,
        weight_measured_on=today,
        labs_drawn_on=today,
        height_unit=prefs.height_unit,
        weight_unit=prefs.weight_unit,
        ast_unit=prefs.ast_unit,
        alt_unit=prefs.alt_unit,
        bilirubin_unit=prefs.bilirubin_unit,
        ast_uln=prefs.ast_uln,
        alt_uln=prefs.alt_uln,
        bilirubin_uln=prefs.bilirubin_uln,
    )
