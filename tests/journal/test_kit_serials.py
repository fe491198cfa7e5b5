"""A serialised kit (GTIN + serial) is used for one dose only (issue 16), over both journals:
refused for a second dose with the dose and preparation it went to, kept as a near miss, also
when another workstation used it between the scan and the record (checked under the write
lock); kits without a serial are never compared across doses (lots repeat)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import test_preparation_cli as cli
from gs1_codes import GTIN_15, GTIN_45, kit_code
from journal_support import run_journal
from test_preparation_journal import EXPIRY, K15A, K15B, K45, NOW, RECON, Side, scans
from test_preparation_journal import side as side  # the parametrised fixture (both journals)

from ixempra_gui.core.compounding import RefusalReason, check_kits
from ixempra_gui.core.models import VialPlan
from ixempra_gui.journal.kinds import DOSE, NEAR_MISS, PREPARATION
from ixempra_gui.journal.preparing import find_dose, judge, record_preparation

pytestmark = pytest.mark.slow

K15C = kit_code(GTIN_15, EXPIRY, lot="LOT44", serial="S15C")
K15D = kit_code(GTIN_15, EXPIRY, lot="LOT44", serial="S15D")
LOT_ONLY = (
    kit_code(GTIN_45, EXPIRY, lot="LOT45"),
    kit_code(GTIN_15, EXPIRY, lot="LOT42"),
    kit_code(GTIN_15, EXPIRY, lot="LOT43"),
)


def test_the_core_refuses_a_kit_used_elsewhere_before_its_expiry() -> None:
    plan = VialPlan(((45, 1), (15, 2)), 75)
    used = {(GTIN_45, "S45"): "dose record 1 (preparation record 2)"}
    expired_copy = kit_code(GTIN_45, "200101", serial="S45")
    kits = check_kits(plan, scans(expired_copy, K45, K15A), used=used)
    assert [o.refusal.reason if o.refusal else None for o in kits.outcomes] == [
        RefusalReason.SERIAL_USED, RefusalReason.SERIAL_USED, None
    ]  # fmt: skip
    message = kits.outcomes[1].refusal.message if kits.outcomes[1].refusal else ""
    assert "serial S45" in message and "dose record 1 (preparation record 2)" in message
    other_serial = kit_code(GTIN_45, EXPIRY, serial="S46")
    same_serial_other_strength = kit_code(GTIN_15, EXPIRY, serial="S45")
    accepted = check_kits(plan, scans(other_serial, same_serial_other_strength), used=used)
    assert all(o.accepted for o in accepted.outcomes)


def test_a_serialised_kit_used_for_one_dose_is_refused_for_another(side: Side) -> None:
    first = side.dose("MRN-1")
    made = side.prepare(first, K45, K15A, K15B)
    assert made.outcome == "complete" and made.preparation is not None
    second = side.dose("MRN-2")
    outcome = side.prepare(second, K45, K15C, K15D)
    assert outcome.outcome == "refused_scan" and outcome.preparation is None
    assert outcome.check.kits.missing == ((45, 1),)
    (miss,) = outcome.near_misses
    refusal = miss.content["refusal"]
    assert miss.kind == NEAR_MISS and refusal["reason"] == "serial_used"
    where = f"dose record {first} (preparation record {made.preparation.id})"
    assert where in refusal["message"] and "serial S45" in refusal["message"]
    assert miss.content["read"]["serial"] == "S45" and miss.content["dose_record"]["id"] == second
    kinds = [r.kind for r in side.journal.records()]
    assert kinds == [DOSE, PREPARATION, DOSE, NEAR_MISS]
    fresh = kit_code(GTIN_45, EXPIRY, serial="S45-NEW")
    done = side.prepare(second, fresh, K15C, K15D)
    assert done.outcome == "complete" and done.preparation is not None


def test_kits_without_a_serial_are_accepted_for_two_doses(side: Side) -> None:
    for patient in ("MRN-1", "MRN-2"):
        outcome = side.prepare(side.dose(patient), *LOT_ONLY)
        assert outcome.outcome == "complete" and outcome.near_misses == ()
    assert [r.kind for r in side.journal.records()].count(PREPARATION) == 2


@pytest.mark.parametrize("window", [False, True])
def test_a_kit_used_by_another_workstation_meanwhile_is_refused_under_the_lock(
    side: Side, window: bool
) -> None:
    first, second = side.dose("MRN-1"), side.dose("MRN-2")
    dose = find_dose(side.journal, second)  # read before the other preparation exists
    check = judge(dose, scans(K45, K15C, K15D), reconstituted_at=RECON,
                  diluted_at=NOW - timedelta(minutes=20), now=NOW)  # fmt: skip
    assert check.kits.complete and not check.kits.near_misses
    made = side.prepare(first, K45, K15A, K15B)  # the other workstation, first to the lock
    assert made.preparation is not None
    outcome = record_preparation(
        side.journal, dose, check, side.person, with_near_misses=not window
    )
    assert outcome.outcome == "refused_scan" and outcome.preparation is None
    assert outcome.refused is not None and "not recorded" in outcome.refused
    (miss,) = outcome.near_misses
    assert miss.content["refusal"]["reason"] == "serial_used"
    assert f"preparation record {made.preparation.id}" in miss.content["refusal"]["message"]
    assert [o.refusal.reason for o in outcome.check.kits.near_misses if o.refusal] == [
        RefusalReason.SERIAL_USED
    ]
    assert [r.kind for r in side.journal.records()][-1] == NEAR_MISS
    assert PREPARATION not in [r.kind for r in side.journal.records(dose.patient_id)]


def test_the_cli_exits_5_and_keeps_the_near_miss_for_a_kit_used_before(tmp_path: Path) -> None:
    first = cli.dose(tmp_path, "MRN-1")
    assert cli.prepare(tmp_path, first, cli.K45, cli.K15_RAW, cli.K15_SYMBOLOGY).returncode == 0
    second = cli.dose(tmp_path, "MRN-14")
    again = cli.prepare(tmp_path, second, cli.K45, K15C, K15D)
    assert again.returncode == 5, again.stdout + again.stderr
    assert "REFUSED (serial_used)" in again.stdout
    assert f"dose record {first} (preparation record 2)" in again.stdout
    assert [r["kind"] for r in cli.records(tmp_path)] == [
        "dose",
        "preparation",
        "dose",
        "near_miss",
    ]
    listed = run_journal(tmp_path, ["near-misses"])
    assert listed.returncode == 0 and "serial_used" in listed.stdout
    lot_only = cli.dose(tmp_path, "MRN-15")
    k15 = kit_code(GTIN_15, EXPIRY, lot="LOT42")  # the lot-only 15 mg kit prepared for dose 1
    assert (
        cli.prepare(tmp_path, lot_only, *LOT_ONLY[:1], k15, k15.replace("42", "43")).returncode == 0
    )


def test_the_same_serial_on_another_product_is_another_kit(side: Side) -> None:
    assert side.prepare(side.dose("MRN-1"), K45, K15A, K15B).outcome == "complete"
    second = side.dose("MRN-2")
    dose = find_dose(side.journal, second)
    same_serial = kit_code(GTIN_15, EXPIRY, lot="LOT45", serial="S45")  # as the 45 mg kit's
    texts = scans(kit_code(GTIN_45, EXPIRY, serial="S46"), same_serial, K15C)
    diluted = NOW - timedelta(minutes=20)
    check = judge(dose, texts, reconstituted_at=RECON, diluted_at=diluted, now=NOW)
    outcome = record_preparation(side.journal, dose, check, side.person)
    assert outcome.outcome == "complete" and outcome.near_misses == ()
