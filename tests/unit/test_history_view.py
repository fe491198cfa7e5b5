"""The History panel's view: what it lists and says for a patient, from the doses read once and
the current calculation (Qt-free). The figures are those the journal's own checks give."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.models import Order
from ixempra_gui.history_view import MAX_LISTED, administration_date, history_view
from ixempra_gui.journal.entries import PatientDose
from ixempra_gui.journal.history import DoseFacts

DAY = date(2025, 5, 1)
V01 = Order(
    height="170 cm",
    weight="70 kg",
    regimen="monotherapy",
    ast="30 U/L",
    ast_uln="40 U/L",
    alt="25 U/L",
    alt_uln="40 U/L",
    bilirubin="0.8 mg/dL",
    bilirubin_uln="1.2 mg/dL",
    anc="1800",
    platelets="150000",
)
RESULT = calculate(V01)  # 72.8 mg, 73 + 2 = 75 units


def dose(days_before: int, record_id: int, kg: str = "70", units=(73, 2), intact=True):
    day = DAY - timedelta(days=days_before)
    facts = DoseFacts(day, Fraction(kg), Decimal("1.82"), sum(units), record_id)
    return PatientDose(record_id, day, Decimal("72.8"), *units, facts, "A", "B", intact)


def test_without_an_identifier_it_asks_for_one() -> None:
    view = history_view("", None, RESULT, DAY)
    assert "Enter the patient identifier" in view.summary
    assert view.dose_lines == () and view.window_line == "" and view.warnings == ()


def test_while_reading_and_on_a_journal_problem_no_figure_is_shown() -> None:
    assert history_view("MRN-1", None, RESULT, DAY).summary == (
        "Reading the journal for patient MRN-1…"
    )
    view = history_view("MRN-1", (dose(3, 1),), RESULT, DAY, problem="disk on fire")
    assert "NOT shown or checked: disk on fire" in view.summary
    assert view.dose_lines == () and view.window_line == "" and view.trend == ()


def test_no_earlier_dose() -> None:
    view = history_view("MRN-1", (), RESULT, DAY)
    assert view.summary == "No verified dose of patient MRN-1 in the journal."
    assert view.window_line == (
        "21-day window for 2025-05-01: 0 units already given + 75 this dose = 75 of 90 units: "
        "within the limit."
    )
    assert view.within_limit is True and view.warnings == ()


@pytest.mark.parametrize(("days", "counted"), [(20, True), (21, False), (22, False)])
def test_the_window_at_20_21_and_22_days(days: int, counted: bool) -> None:
    view = history_view("MRN-1", (dose(days, 4),), RESULT, DAY)
    if counted:
        assert "75 units already given (record 4) + 75 this dose = 150 of 90 units: OVER" in (
            view.window_line
        )
        assert view.within_limit is False
        assert any("over the limit of 90 units per 21 days" in w for w in view.warnings)
        assert any(w.startswith("20 days since the last verified dose") for w in view.warnings)
    else:
        assert "0 units already given + 75 this dose = 75 of 90 units: within" in view.window_line
        assert view.warnings == ()
    assert view.dose_lines == (
        f"{(DAY - timedelta(days=days)).isoformat()} · 72.8 mg · J9207 73 + 2 discarded = "
        "75 units · record 4",
    )


def test_weight_change_of_ten_percent_warns() -> None:
    view = history_view("MRN-1", (dose(21, 1, kg="63.63"),), RESULT, DAY)  # 70/63.63: +10.01%
    assert any(w.startswith("Weight 70 kg changed by +10%") for w in view.warnings)
    view = history_view("MRN-1", (dose(21, 1, kg="63.64"),), RESULT, DAY)  # +9.99%
    assert not any(w.startswith("Weight") for w in view.warnings)


def test_without_a_valid_calculation_only_the_doses_given_are_counted() -> None:
    invalid = calculate(replace(V01, height="tall"))
    view = history_view("MRN-1", (dose(5, 1), dose(30, 2)), invalid, DAY)
    assert view.window_line == (
        "21-day window for 2025-05-01: 75 units already given; limit 90 units. This dose is "
        "added once the order is complete."
    )
    assert view.within_limit is None and view.warnings == ()
    assert [p.current for p in view.trend] == [False, False]  # no "now" point without a weight


def test_doses_newest_first_altered_flagged_and_long_lists_cut() -> None:
    doses = tuple(dose(30 * i, i, intact=i != 2) for i in range(1, MAX_LISTED + 3))
    view = history_view("MRN-1", doses, RESULT, DAY)
    assert view.summary.startswith(f"{MAX_LISTED + 2} verified doses of patient MRN-1")
    assert len(view.dose_lines) == MAX_LISTED + 1
    assert view.dose_lines[0].endswith("record 1")
    assert "ALTERED" in view.dose_lines[1] and view.dose_lines[1].split(" · ")[3] == "record 2"
    assert view.dose_lines[-1] == "… and 2 earlier (ixempra-journal list --patient-id)"
    assert any("record(s) 2 of this patient no longer match" in w for w in view.warnings)


def test_weight_trend_oldest_first_with_this_dose_last() -> None:
    view = history_view("MRN-1", (dose(10, 2, kg="72"), dose(31, 1, kg="74.5")), RESULT, DAY)
    assert [(p.label, p.current) for p in view.trend] == [
        ("74.5 kg", False),
        ("72 kg", False),
        ("70 kg", True),
    ]
    assert view.trend_description == (
        "Weight at each verified dose: 74.5 kg on 2025-03-31 (record 1); 72 kg on 2025-04-21 "
        "(record 2); 70 kg on 2025-05-01 (this dose, not yet verified)."
    )


def test_a_long_identifier_is_shortened_on_screen() -> None:
    view = history_view("X" * 10_000, (), RESULT, DAY)
    assert len(view.summary) < 200 and "X…" in view.summary


def test_an_unusable_administration_date_lists_doses_but_checks_nothing() -> None:
    when, problem = administration_date("01/05/2025", DAY)
    assert when is None and problem is not None
    view = history_view("MRN-1", (dose(3, 1),), RESULT, None, date_problem=problem)
    assert view.window_line.startswith("Units window NOT checked: Administration date")
    assert len(view.dose_lines) == 1 and view.warnings == ()
