"""Issue 12 (and the core part of issue 13) through the real ``ixempra-calc``: exit codes, the
new options, stderr codes, and hostile input that used to end in a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from conftest import REPO, cli_args, run_calc

from ixempra_gui.core.toxicity import TABLE_1


def calc_json(changes: dict[str, str | None] | None = None, *flags: str):
    done = run_calc([*cli_args(changes, flags), "--json"])
    assert "Traceback" not in done.stderr
    return done, json.loads(done.stdout)


def test_missing_counts_exit_2_naming_both() -> None:
    done, payload = calc_json({"--anc": None, "--platelets": None})
    assert done.returncode == 2 and payload["status"] == "invalid_input"
    assert {(e["field"], e["code"]) for e in payload["errors"]} == {
        ("anc", "required"),
        ("platelets", "required"),
    }
    assert "(--anc)" in done.stderr and "(--platelets)" in done.stderr


def test_a_stop_exits_3_with_no_figures() -> None:
    done, payload = calc_json(
        {"--height": "120 cm", "--weight": "26 kg"},
        "--strong-cyp3a4-inhibitor",
        "--acknowledge-warnings",
    )
    assert done.returncode == 3 and payload["status"] == "stop"
    assert payload["ready_to_prepare"] is False
    assert payload["dose_mg"] is None and payload["preparation"] is None
    assert any(r["code"] == "no_bag_in_range" for r in payload["reasons"])


def test_cremophor_exits_3_contraindicated() -> None:
    done, payload = calc_json(None, "--cremophor-hypersensitivity")
    assert done.returncode == 3 and payload["status"] == "contraindicated"
    assert payload["inputs"]["cremophor_hypersensitivity"] is True
    assert any(r["code"] == "cremophor_hypersensitivity" for r in payload["reasons"])


def test_a_proposed_reduction_needs_confirming() -> None:
    done, payload = calc_json({"--worst-event": "other-g3", "--nonheme-toxicity-grade": "1"})
    assert done.returncode == 2
    assert [e["code"] for e in payload["errors"]] == ["confirm_reduction"]
    assert "(--confirm-reduction)" in done.stderr
    done, payload = calc_json(
        {"--worst-event": "other-g3", "--nonheme-toxicity-grade": "1"}, "--confirm-reduction"
    )
    assert done.returncode == 0 and payload["dose_level_mg_per_m2"] == 32
    assert payload["toxicity"]["proposal"] == "decrease_20"
    assert payload["inputs"]["current_nonheme_toxicity_grade"] == 1


def test_worst_event_repeats_and_discontinue_exits_3() -> None:
    done = run_calc([*cli_args(), "--worst-event", "other-g3", "--worst-event", "any-g4", "--json"])
    payload = json.loads(done.stdout)
    assert done.returncode == 3 and payload["status"] == "stop"
    assert payload["toxicity"]["worst_events"] == ["other-g3", "any-g4"]
    assert any(r["code"] == "toxicity_discontinue" for r in payload["reasons"])


def test_acknowledge_warnings_prints_the_codes_and_keeps_stdout_json() -> None:
    changes = {"--ast": "3 U/L", "--alt": "2 U/L"}
    done, payload = calc_json(changes)
    assert done.returncode == 2
    assert sorted(e["acknowledge"] for e in payload["errors"]) == [
        "alt.below_usual",
        "ast.below_usual",
    ]
    done, payload = calc_json(changes, "--acknowledge-warnings")
    assert done.returncode == 0 and payload["status"] == "ok"
    assert "acknowledged ast.below_usual" in done.stderr
    assert "acknowledged alt.below_usual" in done.stderr
    done = run_calc([*cli_args(changes), "--acknowledge", "ast.below_usual", "--json"])
    assert done.returncode == 2
    assert [e["acknowledge"] for e in json.loads(done.stdout)["errors"]] == ["alt.below_usual"]


def test_help_has_the_exit_table_and_every_table_1_row() -> None:
    done = run_calc(["--help"])
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert "3 no dose (contraindicated, not recommended, hold, stop)" in text
    for row in TABLE_1:
        assert row.code in text
        assert f"{row.description}: {row.action.words}" in text  # as written: "20 %", not "%%"


@pytest.mark.parametrize(
    ("option", "value", "field"),
    [
        ("--height", "١٧٠ cm", "height"),
        ("--weight", "７０ kg", "weight"),
        ("--nonheme-toxicity-grade", "9" * 5000, "current_nonheme_toxicity_grade"),
        ("--toxicity-reductions", "1" * 5000, "toxicity_reductions"),
        ("--nonheme-toxicity-grade", "١", "current_nonheme_toxicity_grade"),
        ("--prepared-at", "9999-12-31T23:30", "prepared_at"),
        ("--prepared-at", "1999-12-31T23:59", "prepared_at"),
        ("--prepared-at", "2" * 5000, "prepared_at"),
        ("--reduction-reason", "neuro\u200bpathy", "reduction_reason"),
        ("--reduction-reason", "a\x1b[31mb", "reduction_reason"),
    ],
)
def test_hostile_input_is_a_named_error(option: str, value: str, field: str) -> None:
    done = run_calc([*cli_args({option: value}), "--json"])
    assert "Traceback" not in done.stderr
    assert done.returncode == 2
    fields = {e["field"] for e in json.loads(done.stdout)["errors"]}
    assert field in fields


def test_non_ascii_digits_are_named() -> None:
    done = run_calc(cli_args({"--height": "١٧٠ cm"}))
    assert "U+0661" in done.stderr and "ARABIC-INDIC DIGIT ONE" in done.stderr


def test_a_preparation_time_days_away_is_a_note_not_a_stop() -> None:
    later = (datetime.now() + timedelta(days=3)).isoformat(timespec="minutes")
    done, payload = calc_json({"--prepared-at": later})
    assert done.returncode == 0 and payload["status"] == "ok"
    assert any(r["code"] == "prepared_at_far_from_now" for r in payload["reasons"])


def test_a_closed_pipe_is_not_a_traceback() -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    command = [sys.executable, "-m", "ixempra_gui.cli.calc", *cli_args()]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader went away before anything was written
        err = proc.stderr.read().decode()
        proc.wait(timeout=60)
    assert "Traceback" not in err
    assert proc.returncode == 6  # the output was closed early (cli_guard.py)
