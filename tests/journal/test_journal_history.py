"""History checks: the 21-day window, the units limit from the policy data, weight/BSA change
and the cycle interval; then the same through ``ixempra-calc --patient-id``."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import cli_args
from journal_support import DAY0, new_record, raw, record_args, run_calc_in, run_journal

from ixempra_gui.core import label
from ixempra_gui.core.policy import load_policy
from ixempra_gui.core.units import WEIGHT, parse_measurement
from ixempra_gui.journal.history import DoseFacts, assess_history
from ixempra_gui.journal.store import Journal, history_for

POLICY = load_policy()
LIMIT, WINDOW = POLICY.max_units, POLICY.per_days


def facts(
    days_before: int = 0, units: int | None = 75, kg: str = "70", bsa: str = "1.82", rid=None
):
    return DoseFacts(DAY0 - timedelta(days=days_before), Fraction(kg), Decimal(bsa), units, rid)


def codes(history) -> set[str]:
    return {w.code for w in history.warnings}


def test_limit_and_window_come_from_the_policy_data() -> None:
    assert (LIMIT, WINDOW) == (90, 21)  # spec §6: the data file holds the policy's figures
    other = dataclasses.replace(POLICY, max_units=200, per_days=10)
    h = assess_history(facts(), [facts(9, rid=1), facts(10, rid=2)], other)
    assert (h.limit_units, h.prior_units_21d, h.within_limit) == (200, 75, True)


@pytest.mark.parametrize(
    ("days_before", "counted"),
    [(0, True), (1, True), (WINDOW - 1, True), (WINDOW, False), (WINDOW + 1, False)],
)
def test_a_dose_counts_when_given_fewer_than_21_days_before(
    days_before: int, counted: bool
) -> None:
    h = assess_history(facts(units=10), [facts(days_before, units=40, rid=7)], POLICY)
    assert h.prior_units_21d == (40 if counted else 0)
    assert h.units_this_dose == 10
    assert h.units_total_21d == h.prior_units_21d + 10
    assert h.window_record_ids == ((7,) if counted else ())
    assert h.days_since_last_dose == days_before


@pytest.mark.parametrize("days_before", [20, 21, 22])
def test_cycle_interval_shorter_than_21_days_warns(days_before: int) -> None:
    h = assess_history(facts(), [facts(days_before, units=15)], POLICY)
    assert ("short_cycle_interval" in codes(h)) is (days_before < label.CYCLE_INTERVAL_DAYS)


@pytest.mark.parametrize(
    ("prior", "this", "within"), [(15, 75, True), (16, 75, False), (0, 91, False)]
)
def test_units_limit_at_and_over_90(prior: int, this: int, within: bool) -> None:
    h = assess_history(facts(units=this), [facts(25, units=500), facts(5, units=prior)], POLICY)
    assert h.units_total_21d == prior + this
    assert h.within_limit is within
    assert ("over_21_day_limit" in codes(h)) is (not within)


def test_no_earlier_dose_gives_nulls_and_no_warning() -> None:
    h = assess_history(facts(), [], POLICY)
    assert h.to_json() == {
        "prior_units_21d": 0,
        "units_this_dose": 75,
        "units_total_21d": 75,
        "limit_units": LIMIT,
        "within_limit": True,
        "days_since_last_dose": None,
        "weight_change_pct": None,
        "bsa_change_pct": None,
        "warnings": [],
    }


def _kg(text: str) -> Fraction:
    return parse_measurement(WEIGHT, text).value


@pytest.mark.parametrize(
    ("before", "now", "warns", "pct"),
    [
        ("70 kg", "77 kg", True, 10.0),  # exactly +10%
        ("70 kg", "76.99 kg", False, 9.9),  # just under: 9.985...% shown toward zero
        ("70 kg", "63 kg", True, -10.0),  # exactly -10%
        ("70 kg", "63.01 kg", False, -9.9),
        ("110 lb", "99 lb", True, -10.0),  # exact in lb; a float of kg would miss it
        ("110 lb", "99.01 lb", False, -9.9),
        ("70 kg", "70 kg", False, 0.0),
    ],
)
def test_weight_change_of_10_percent_or_more_warns(before, now, warns, pct) -> None:
    h = assess_history(
        DoseFacts(DAY0, _kg(now), Decimal("1.82"), 75),
        [DoseFacts(DAY0 - timedelta(days=21), _kg(before), Decimal("1.82"), 75, 1)],
        POLICY,
    )
    assert ("weight_change" in codes(h)) is warns
    assert h.to_json()["weight_change_pct"] == pct


@pytest.mark.parametrize(
    ("before", "now", "warns"),
    [("2.00", "2.20", True), ("2.00", "2.19", False), ("2.00", "1.80", True)],
)
def test_bsa_change_of_10_percent_or_more_warns(before: str, now: str, warns: bool) -> None:
    h = assess_history(facts(bsa=now), [facts(21, bsa=before)], POLICY)
    assert ("bsa_change" in codes(h)) is warns


def test_changes_are_measured_from_the_last_dose_before_this_one() -> None:
    earlier = [facts(42, kg="50", rid=1), facts(21, kg="70", rid=2), facts(-3, kg="90", rid=3)]
    h = assess_history(facts(kg="70"), earlier, POLICY)
    assert h.last_record_id == 2 and h.weight_change_pct == 0
    assert "later_dose_recorded" in codes(h)  # record 3 is dated after this administration
    assert h.prior_units_21d == 0  # a later dose is not "before" this one


def test_recording_and_calc_see_the_same_history(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        journal.record(new_record("P", DAY0 - timedelta(days=20)), acknowledge_history=True)
        result = new_record().result
        h = journal.history("P", result, DAY0)
    assert h is not None and h.prior_units_21d == 75 and not h.within_limit
    assert history_for("P", result, DAY0, tmp_path) == h


# --- through the real CLIs ------------------------------------------------------------------


def _calc_history(folder: Path, patient: str, when: date, *extra: str) -> tuple[int, dict]:
    args = [
        *cli_args(flags=("--json",)),
        "--patient-id",
        patient,
        "--administered-on",
        when.isoformat(),
        *extra,
    ]
    done = run_calc_in(folder, args)
    return done.returncode, json.loads(done.stdout)


@pytest.mark.slow
def test_calc_history_window_at_20_21_22_days(tmp_path: Path) -> None:
    for days in (20, 21, 22):
        done = run_journal(
            tmp_path, record_args(f"P{days}", (DAY0 - timedelta(days=days)).isoformat())
        )
        assert done.returncode == 0, done.stderr
    for days, prior in ((20, 75), (21, 0), (22, 0)):
        status, out = _calc_history(tmp_path, f"P{days}", DAY0)
        assert status == 0  # history warnings never change the exit status
        h = out["history"]
        assert h["prior_units_21d"] == prior
        assert h["units_this_dose"] == out["billing"]["units_total"] == 75
        assert h["units_total_21d"] == prior + 75
        assert h["limit_units"] == LIMIT
        assert h["within_limit"] is (prior + 75 <= LIMIT)
        assert h["days_since_last_dose"] == days
        assert h["weight_change_pct"] == 0 and h["bsa_change_pct"] == 0
        assert ("short_cycle_interval" in {w["code"] for w in h["warnings"]}) is (days < 21)
        assert all(w["message"] for w in h["warnings"])


@pytest.mark.slow
def test_calc_weight_change_against_the_journal(tmp_path: Path) -> None:
    earlier = (DAY0 - timedelta(days=21)).isoformat()
    assert run_journal(tmp_path, record_args("W", earlier)).returncode == 0
    done = run_calc_in(
        tmp_path,
        [
            *cli_args({"--weight": "77 kg"}, ("--json",)),
            "--patient-id",
            "W",
            "--administered-on",
            DAY0.isoformat(),
        ],
    )
    h = json.loads(done.stdout)["history"]
    assert h["weight_change_pct"] == 10.0
    assert "weight_change" in {w["code"] for w in h["warnings"]}
    assert done.returncode == 0


@pytest.mark.slow
def test_calc_without_a_journal_creates_nothing_and_reports_no_earlier_dose(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    status, out = _calc_history(folder, "NEW", DAY0)
    assert status == 0 and not folder.exists()
    assert out["history"]["prior_units_21d"] == 0 and out["history"]["days_since_last_dose"] is None
    assert out["dose_mg"] == 72.8


@pytest.mark.slow
def test_calc_with_an_unreadable_journal_says_history_was_not_checked(tmp_path: Path) -> None:
    (tmp_path / "journal.sqlite3").write_bytes(b"this is not a database" * 100)
    status, out = _calc_history(tmp_path, "P", DAY0)
    h = out["history"]
    assert status == 0 and out["dose_mg"] == 72.8
    assert h["within_limit"] is None and h["prior_units_21d"] is None
    assert [w["code"] for w in h["warnings"]] == ["journal_unavailable"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--patient-id", "P", "--administered-on", "2025-02-30"], "administered_on"),
        (["--patient-id", "P", "--administered-on", "1/3/2025"], "administered_on"),
        (["--administered-on", "2025-03-01"], "administered_on"),
        (["--patient-id", "  "], "patient_id"),
        (["--patient-id", "a\nb"], "patient_id"),
    ],
)
def test_calc_history_options_bad_input_exit_2(tmp_path: Path, args: list[str], field: str) -> None:
    done = run_calc_in(tmp_path, cli_args(flags=("--json",)) + args)
    assert done.returncode == 2
    out = json.loads(done.stdout)
    assert out["status"] == "invalid_input" and field in {e["field"] for e in out["errors"]}
    assert f"{field} (--{field.replace('_', '-')})" in done.stderr


@pytest.mark.slow
def test_calc_text_output_shows_history(tmp_path: Path) -> None:
    earlier = (DAY0 - timedelta(days=7)).isoformat()
    assert run_journal(tmp_path, record_args("T", earlier)).returncode == 0
    done = run_calc_in(
        tmp_path, [*cli_args(), "--patient-id", "T", "--administered-on", DAY0.isoformat()]
    )
    assert done.returncode == 0
    assert "History     75 units in the 21 days before + 75 this dose = 150 units" in done.stdout
    assert "OVER" in done.stdout and "7 days since the last verified dose" in done.stdout


@pytest.mark.slow
def test_coverage_dosing_limit_checks_the_window_when_the_patient_is_known(tmp_path: Path) -> None:
    earlier = (DAY0 - timedelta(days=10)).isoformat()
    assert run_journal(tmp_path, record_args("C", earlier)).returncode == 0
    coverage = ["--request", "initial", "--diagnosis", "C50.911"]
    known = json.loads(
        run_calc_in(
            tmp_path,
            [
                *cli_args(flags=("--json",)),
                *coverage,
                "--patient-id",
                "C",
                "--administered-on",
                DAY0.isoformat(),
            ],
        ).stdout
    )
    limit = known["coverage"]["dosing_limit"]
    assert limit["prior_units"] == known["history"]["prior_units_21d"] == 75
    assert limit["window_checked"] is True and limit["within_limit"] is False
    unknown = json.loads(run_calc_in(tmp_path, [*cli_args(flags=("--json",)), *coverage]).stdout)
    assert unknown["coverage"]["dosing_limit"]["window_checked"] is False
    assert "history" not in unknown


def test_history_reads_the_window_and_the_last_dose(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        for days in (30, 20, 5):
            journal.record(new_record("J", DAY0 - timedelta(days=days)), acknowledge_history=True)
        result = new_record(weight="80 kg").result
        history = journal.history("J", result, DAY0)
    assert history is not None and history.prior_units_21d == 150
    assert history.window_record_ids == (2, 3) and history.last_record_id == 3


def test_an_altered_record_in_the_window_makes_the_history_null_naming_it(tmp_path: Path) -> None:
    """Issue 13.2: never a partial count. An edited record (here its dose) is named, no figure is
    claimed, and recording is refused."""
    with Journal.open(tmp_path) as journal:
        journal.record(new_record("A", DAY0 - timedelta(days=3)))
    raw(tmp_path).execute("UPDATE records SET content = replace(content, ':72.8', ':27.8')")
    h = history_for("A", new_record().result, DAY0, tmp_path)
    assert h is not None and codes(h) == {"journal_altered"}
    assert "record 1" in h.warnings[0].message
    assert (h.prior_units_21d, h.units_total_21d, h.within_limit) == (None, None, None)
    assert h.units_this_dose == 75
    assert h.to_json()["prior_units_21d"] is None
