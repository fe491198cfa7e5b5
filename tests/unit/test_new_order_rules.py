"""One patient's order in the window (issue 12.9), Qt-free: when New order asks before it
clears, when another identifier starts a new order, and the window title."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ixempra_gui import APP_NAME
from ixempra_gui.presentation.new_order import identifier_starts_new_order, new_order_question
from ixempra_gui.presentation.order_state import FormInput
from ixempra_gui.presentation.preferences import Preferences
from ixempra_gui.presentation.title import TITLE_ID_CHARS, shown_identifier, window_title

FORM = FormInput(patient_id="MRN 0012345", height="170 cm", weight="70 kg", anc="1800")
PREFS = Preferences()
NOW = (FORM, PREFS)
EDITED = (replace(FORM, weight="71 kg"), PREFS)
OTHER_PREFS = (FORM, replace(PREFS, labs_max_age_days=7))


# --- does New order ask? ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ready", "printed", "verified", "asks"),
    [
        (True, None, None, True),  # a dose nobody has acted on
        (False, None, None, False),  # no dose to lose: clear at once
        (True, NOW, None, False),  # printed (or saved as PDF) as it stands
        (True, None, NOW, False),  # verified as it stands
        (True, EDITED, None, True),  # printed, then edited: this dose was not printed
        (True, None, EDITED, True),  # verified, then edited
        (True, OTHER_PREFS, OTHER_PREFS, True),  # acted on under other preferences (bags...)
        (False, EDITED, EDITED, False),
    ],
)
def test_new_order_asks_only_for_a_ready_dose_neither_printed_nor_verified(
    ready: bool, printed, verified, asks: bool
) -> None:
    question = new_order_question(ready, NOW, printed, verified, "72.8 mg")
    assert (question is not None) is asks


def test_the_question_names_the_dose_and_the_patient_and_what_is_kept() -> None:
    question = new_order_question(True, NOW, None, None, "72.8 mg")
    assert question is not None
    assert question.text == (
        "Discard the dose on screen (72.8 mg for MRN 0012345)? It was neither printed, saved "
        "as PDF nor verified."
    )
    assert "both tabs" in question.detail and "Site preferences are kept" in question.detail
    anonymous = new_order_question(True, (replace(FORM, patient_id=""), PREFS), None, None, "5 mg")
    assert anonymous is not None and anonymous.text.startswith("Discard the dose on screen (5 mg)?")


# --- another identifier typed over a verified order ---------------------------------------------


@pytest.mark.parametrize(
    ("typed", "starts"),
    [
        ("MRN 0099999", True),  # another patient
        ("MRN 001234", True),  # one character deleted is already another identifier
        ("", True),  # cleared
        ("MRN 0012345", False),  # unchanged
        (" MRN 0012345 ", False),  # the same identifier for the journal (spaces around it)
    ],
)
def test_only_the_identifier_changed_on_a_verified_order(typed: str, starts: bool) -> None:
    form = replace(FORM, patient_id=typed)
    assert identifier_starts_new_order(form, NOW, PREFS) is starts


def test_another_identifier_on_an_edited_or_unverified_order_is_only_an_edit() -> None:
    typed = replace(FORM, patient_id="MRN 0099999")
    assert not identifier_starts_new_order(typed, None, PREFS)  # never verified
    assert not identifier_starts_new_order(replace(typed, weight="71 kg"), NOW, PREFS)
    assert not identifier_starts_new_order(typed, NOW, replace(PREFS, labs_max_age_days=7))


# --- the window title -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "title"),
    [
        ("", APP_NAME),
        ("   ", APP_NAME),
        ("MRN 0012345", f"MRN 0012345 — {APP_NAME}"),
        ("  MRN\t0012345\n", f"MRN 0012345 — {APP_NAME}"),
        ("MRN\u202e5432100", f"MRN5432100 — {APP_NAME}"),  # a bidi override would reverse it
        ("\x1b]0;pwned\x07MRN-1", f"]0;pwnedMRN-1 — {APP_NAME}"),  # no escape sequence
        ("MRN\u200b1\u2028\u20292", f"MRN1 2 — {APP_NAME}"),
        ("\x00\x01\x02", APP_NAME),
        ("X" * TITLE_ID_CHARS, f"{'X' * TITLE_ID_CHARS} — {APP_NAME}"),
        ("X" * (TITLE_ID_CHARS + 1), f"{'X' * (TITLE_ID_CHARS - 1)}… — {APP_NAME}"),
    ],
)
def test_the_title_shows_the_identifier_cleaned_and_shortened(typed: str, title: str) -> None:
    assert window_title(typed) == title


TEXT = st.one_of(
    st.text(st.characters(codec=None, exclude_categories=()), max_size=200),
    st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=20),  # Cs
    st.text(st.sampled_from("0123456789"), min_size=5000, max_size=5000),
    st.text(st.sampled_from(" \t\n\u00a0\u2028\u200b\u202eX"), max_size=300),
)


@given(TEXT)
def test_the_title_never_holds_a_control_character_and_stays_short(typed: str) -> None:
    title = window_title(typed)
    assert title.endswith(APP_NAME)
    shown = shown_identifier(typed)
    assert len(shown) <= TITLE_ID_CHARS
    assert shown == shown.strip() and "  " not in shown
    assert not any(unicodedata.category(ch)[0] == "C" or ch in "\u2028\u2029" for ch in shown)
    assert title == (f"{shown} — {APP_NAME}" if shown else APP_NAME)
