"""The Preparation panel's Qt-free side (issue 16): scans judged and recorded through the
journal's preparing functions as the CLI does — every refused scan a near miss at once, the
preparation once complete (or failed), the label only for a complete one — and the words the
panel shows. Independent references: the journal read back through its own API; the times of
the label's rules (1 h, 6 h) counted by hand from a fixed "now"."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from gs1_codes import GTIN_15, kit_code, wrong_check_digit
from hypothesis import given
from hypothesis import strategies as st
from preparation_support import (
    EXPIRED_15,
    KIT_15,
    KIT_15_B,
    KIT_45,
    NOW,
    ZONE,
    clock,
    kinds,
    record_dose,
)

from ixempra_gui.journal.store import Journal
from ixempra_gui.presentation import preparation_view as pv
from ixempra_gui.presentation.preferences import PreferenceError, parse_preference
from ixempra_gui.presentation.preparation_desk import PreparationDesk
from ixempra_gui.presentation.worksheet_preparation import preparation_lines


def desk_for(record, **kwargs) -> PreparationDesk:
    desk = PreparationDesk(record, clock, tz=ZONE, **kwargs)
    desk.set_compounder("C. Technician")
    return desk


def shown(text: str) -> str:
    """What the scan field holds for a scan: GS shown as ␝."""
    return text.replace(pv.GS, pv.GS_SHOWN)


def test_scan_text_turns_the_shown_separator_back_into_gs() -> None:
    assert pv.scan_text(f"10LOT42{pv.GS_SHOWN}21S1") == "10LOT42\x1d21S1"


@given(st.text())
def test_scan_text_only_ever_changes_the_shown_separator(text: str) -> None:
    out = pv.scan_text(text)
    assert len(out) == len(text)
    assert out.replace(pv.GS, pv.GS_SHOWN) == text.replace(pv.GS, pv.GS_SHOWN)


@pytest.mark.parametrize(
    ("minutes", "said"),
    [(0, "0 min left"), (59, "59 min left"), (60, "1 h 00 min left"), (-1, "passed")],
)
def test_time_left_counts_whole_minutes(minutes: int, said: str) -> None:
    assert pv.left(NOW + timedelta(minutes=minutes, seconds=30 if minutes >= 0 else 0), NOW) == (
        said
    )


def test_a_complete_preparation_is_recorded_and_labelled() -> None:
    record = record_dose()
    desk = desk_for(record)
    for code in (KIT_15, shown(KIT_15_B)):
        desk.scan(code)
    view = desk.view()
    assert [row.accepted for row in view.kits] == [True, True]
    assert "lot LOT42" in view.kits[0].text and "serial S-0002" in view.kits[1].text
    assert not view.can_record  # the times are not entered yet
    desk.set_times(datetime(2026, 11, 2, 9, 20), datetime(2026, 11, 2, 9, 50))
    view = desk.view()
    assert view.can_record and not view.can_print
    assert (
        "dilute by 10:20" in view.reconstitution_clock and "(in time)" in view.reconstitution_clock
    )
    # dilution 09:50 + 6 h = 15:50; a 3 h infusion starts by 12:50, 2 h 50 min from 10:00
    assert "complete infusion by 15:50" in view.infusion_clock
    assert "starts by 12:50 — 2 h 50 min left" in view.infusion_clock
    desk.record_preparation()
    view = desk.view()
    assert view.recorded.startswith("Preparation recorded (complete): journal record")
    assert view.can_print and not view.can_scan and not view.can_record
    assert kinds() == ["dose", "preparation"]
    label = desk.label()
    assert not isinstance(label, str)
    assert "Complete infusion by 2026-11-02 15:50" in label.text()
    assert label.barcode.text == str(record.id)


def test_each_refused_scan_is_kept_as_a_near_miss_with_its_reason() -> None:
    desk = desk_for(record_dose())
    desk.scan(KIT_15)
    expected = {
        KIT_45: "Wrong strength",
        EXPIRED_15: "Expired kit",
        KIT_15: "Identical scan",
        kit_code(wrong_check_digit(GTIN_15), "271231", "LOT44"): "Scan not accepted",
    }
    for code, reason in expected.items():
        desk.scan(shown(code))
        view = desk.view()
        assert view.last_refused and view.last_scan.startswith(f"Refused: {reason}")
    assert len(view.refused) == 4 and all(line.startswith(pv.CROSS) for line in view.refused)
    assert kinds() == ["dose"] + ["near_miss"] * 4
    with Journal.open() as journal:
        misses = list(journal.records_of_kind("near_miss"))
    assert [m.content.get("scanned_by") for m in misses] == ["C. Technician"] * 4
    assert [row.accepted for row in desk.view().kits] == [True, False]


def test_reconstituted_more_than_an_hour_before_dilution_fails_and_has_no_label() -> None:
    desk = desk_for(record_dose())
    desk.scan(KIT_15)
    desk.scan(shown(KIT_15_B))
    desk.set_times(datetime(2026, 11, 2, 8, 0), datetime(2026, 11, 2, 9, 1))
    view = desk.view()
    assert "more than the 1 h allowed" in view.failure and "(too late)" in view.reconstitution_clock
    assert view.can_record  # a failed preparation is recorded, as failed
    desk.record_preparation()
    view = desk.view()
    assert "FAILED — discard and remake" in view.recorded
    assert not view.can_print and "the preparation failed" in view.print_refusal
    assert view.can_remake
    desk.remake()
    assert desk.view().can_scan and desk.recorded is None


def test_times_in_the_future_block_recording_and_name_the_field() -> None:
    desk = desk_for(record_dose())
    desk.scan(KIT_15)
    desk.scan(shown(KIT_15_B))
    desk.set_times(datetime(2026, 11, 2, 9, 0), datetime(2026, 11, 2, 11, 0))
    view = desk.view()
    assert not view.can_record
    assert view.time_problems["diluted_at"].startswith("Diluted (bag completed) at: ")
    assert "in the future" in view.time_problems["diluted_at"]


def test_no_scan_is_judged_without_who_compounds() -> None:
    desk = PreparationDesk(record_dose(), clock, tz=ZONE)
    desk.scan(KIT_45)
    view = desk.view()
    assert not view.can_scan and view.refused == ()
    assert view.blockers[0] == "Compounded by: required (who compounds and scans the kits)."
    assert kinds() == ["dose"]


def test_a_dose_already_prepared_shows_its_preparation_and_label() -> None:
    record = record_dose()
    first = desk_for(record)
    first.scan(KIT_15)
    first.scan(shown(KIT_15_B))
    first.set_times(datetime(2026, 11, 2, 9, 20), datetime(2026, 11, 2, 9, 50))
    first.record_preparation()
    again = PreparationDesk(record, clock, tz=ZONE)
    view = again.view()
    assert view.recorded and view.can_print and not view.can_scan
    assert [row.accepted for row in view.kits] == [True, True]
    lines = preparation_lines(record)
    assert lines is not None and "compounded by C. Technician" in lines[0]
    assert any("lot LOT43" in line and "serial S-0002" in line for line in lines)


def test_the_scanner_substitute_is_a_checked_preference() -> None:
    assert parse_preference("scanner_gs_substitute", " ") == ""
    assert parse_preference("scanner_gs_substitute", "~") == "~"
    with pytest.raises(PreferenceError, match="one of"):
        parse_preference("scanner_gs_substitute", "A")


@pytest.mark.parametrize("scanned", [KIT_15, shown(KIT_15_B), "]d2" + KIT_15])
def test_a_kit_scanned_into_the_name_field_is_not_a_compounder(scanned: str) -> None:
    desk = PreparationDesk(record_dose(), clock, tz=ZONE)
    problem = desk.set_compounder(scanned)
    assert problem is not None and problem.startswith("Compounded by: this looks like a kit's")
    desk.scan(KIT_15)
    assert kinds() == ["dose"] and not desk.view().can_scan


def test_the_label_is_refused_once_the_infusion_can_no_longer_start_in_time() -> None:
    now = [NOW]
    record = record_dose()
    desk = PreparationDesk(record, lambda: now[0], tz=ZONE)
    desk.set_compounder("C. Technician")
    desk.scan(KIT_15)
    desk.scan(shown(KIT_15_B))
    desk.set_times(datetime(2026, 11, 2, 9, 20), datetime(2026, 11, 2, 9, 50))
    desk.record_preparation()
    now[0] = datetime(2026, 11, 2, 12, 50, tzinfo=ZONE)  # start by 09:50 + 6 h - 3 h: still
    assert desk.view().can_print
    now[0] = datetime(2026, 11, 2, 12, 51, tzinfo=ZONE)
    view = desk.view()
    assert not view.can_print and view.print_refusal.startswith("No label: Too late to print")
    assert "passed" in view.infusion_clock


def test_the_kit_a_refused_scan_was_meant_to_be_shows_the_refusal() -> None:
    desk = desk_for(record_dose())
    desk.scan(KIT_15)
    desk.scan(shown(EXPIRED_15))
    rows = [row.text for row in desk.view().kits]
    assert rows[0].startswith(f"{pv.TICK} 1 of 2: 15 mg kit — lot LOT42")
    assert rows[1] == f"{pv.CROSS} 2 of 2: 15 mg kit — last scan refused (Expired kit), see above"
    desk.scan(shown(KIT_45))  # wrong strength: no planned kit of it to show it on
    rows = [row.text for row in desk.view().kits]
    assert rows[1] == f"{pv.WAITING} 2 of 2: 15 mg kit — scan it"


def test_the_label_and_scanner_preferences_keep_the_verified_order_verified() -> None:
    from dataclasses import replace

    from ixempra_gui.presentation.preferences import Preferences
    from ixempra_gui.presentation.signed_check import SignedCheck

    record, form, prefs = record_dose(), object(), Preferences()
    signed = SignedCheck()
    signed.sign(record, form, prefs)  # type: ignore[arg-type]
    label_only = replace(prefs, second_patient_identifier=True, scanner_gs_substitute="~")
    assert signed.record(form, label_only) is record  # type: ignore[arg-type]
    assert signed.record(form, replace(prefs, labs_max_age_days=7)) is None  # type: ignore[arg-type]


def test_a_serialised_kit_used_for_another_dose_is_refused_at_the_scan() -> None:
    first = desk_for(record_dose())
    for code in (KIT_15, shown(KIT_15_B)):
        first.scan(code)
    first.set_times(datetime(2026, 11, 2, 9, 20), datetime(2026, 11, 2, 9, 50))
    first.record_preparation()
    second = desk_for(record_dose(patient="MRN-0099999"))
    second.scan(shown(KIT_15_B))
    view = second.view()
    assert view.last_refused and view.last_scan.startswith("Refused: Kit already used")
    assert f"dose record {first.record.id} (preparation record" in view.last_scan
    second.scan(KIT_15)  # lot-only: cannot be told apart across doses, so accepted
    assert [row.accepted for row in second.view().kits] == [True, False]
    assert kinds() == ["dose", "preparation", "dose", "near_miss"]


def test_a_kit_used_elsewhere_while_the_panel_was_open_is_refused_when_recording() -> None:
    second = desk_for(record_dose(patient="MRN-0099999"))  # open before the kit was used
    first = desk_for(record_dose())
    for desk in (second, first):
        for code in (KIT_15, shown(KIT_15_B)):
            desk.scan(code)
        desk.set_times(datetime(2026, 11, 2, 9, 20), datetime(2026, 11, 2, 9, 50))
    first.record_preparation()
    second.record_preparation()
    view = second.view()
    assert second.recorded is None and not view.can_print
    assert any("NOT recorded" in note and "used for another dose" in note for note in second.notes)
    assert [row.accepted for row in view.kits] == [True, False]
    assert "Kit already used" in " ".join(view.refused)
    assert kinds() == ["dose", "dose", "preparation", "near_miss"]
