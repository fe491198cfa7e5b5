"""The visible reference cases of shared/spec, through the real CLI (golden cases)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import SHARED_SPEC, run_calc

EXIT_FOR_STATUS = {"ok": 0, "contraindicated": 3, "not_recommended": 3, "hold": 3}


def _case_ids() -> list[str]:
    path = SHARED_SPEC / "reference-cases.json"
    if not path.is_file():
        return ["absent"]
    return [case["id"] for case in json.loads(path.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("case_id", _case_ids())
def test_reference_case(case_id: str, reference_cases: list[dict[str, Any]]) -> None:
    case = next(c for c in reference_cases if c["id"] == case_id)
    args = [part for key, value in case["args"].items() for part in (key, value)]
    proc = run_calc([*args, *case["flags"], "--json"])
    out = json.loads(proc.stdout)
    expected = case["expected"]
    assert proc.returncode == EXIT_FOR_STATUS[expected["status"]], proc.stderr
    for key, value in expected.items():
        if key == "billing" and value is not None:
            assert {k: out["billing"][k] for k in value} == value, case["note"]
        else:
            assert out[key] == value, f"{case_id} ({case['note']}): {key}"
    if expected["status"] != "ok":
        assert out["vial_total_mg"] is None and out["volume_ml"] is None
