"""A preparation checked against its plan: each scan accepted or refused with its reason, what
is missing, and when the bag label may print. "Today" comes in with each scan's time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from gs1_codes import GS, GTIN_15, GTIN_45, gtin, kit_code

from ixempra_gui.core.compounding import (
    PreparationCheck,
    RefusalReason,
    Scan,
    ScanOutcome,
    check_kits,
    check_preparation,
    describe_plan,
)
from ixempra_gui.core.gs1_scan import ScanProblem
from ixempra_gui.core.models import VialPlan

EST = timezone(timedelta(hours=-5))
TODAY = datetime(2026, 3, 10, 9, 0, tzinfo=EST)
PLAN_75 = VialPlan(counts=((45, 1), (15, 2)), total_mg=75)  # 72.8 mg: 45 + 15 + 15
PLAN_30 = VialPlan(counts=((45, 0), (15, 2)), total_mg=30)
MIN = timedelta(minutes=1)


def scans(*texts: str, at: datetime = TODAY) -> list[Scan]:
    return [Scan(text, at + i * MIN) for i, text in enumerate(texts)]


def only(plan: VialPlan, *texts: str, at: datetime = TODAY) -> ScanOutcome:
    """The last scan's outcome, after the others."""
    return check_kits(plan, scans(*texts, at=at), tz=EST).outcomes[-1]


def reason(outcome: ScanOutcome) -> RefusalReason | None:
    return outcome.refusal.reason if outcome.refusal else None


K15A = kit_code(GTIN_15, serial="A1")
K15B = kit_code(GTIN_15, serial="B2")
K45 = kit_code(GTIN_45, serial="C3")


def test_every_planned_kit_scanned_completes_the_kits() -> None:
    result = check_kits(PLAN_75, scans(K15A, K45, K15B), tz=EST)
    assert [o.accepted for o in result.outcomes] == [True, True, True]
    assert [o.strength_mg for o in result.outcomes] == [15, 45, 15]
    assert result.complete and result.missing == () and result.near_misses == ()
    first = result.outcomes[0]
    assert first.kit is not None and first.kit.lot == "LOT42" and first.kit.serial == "A1"
    assert first.match is not None and first.match.ndc11 == "70020-1910-01"
    assert first.at == TODAY.astimezone(UTC)


def test_what_is_still_missing_is_listed_per_strength() -> None:
    result = check_kits(PLAN_75, scans(K15A), tz=EST)
    assert not result.complete and result.missing == ((45, 1), (15, 1))
    assert describe_plan(PLAN_75) == "1 × 45 mg + 2 × 15 mg"
    assert describe_plan(PLAN_30) == "2 × 15 mg"


def test_another_drug_is_refused_as_wrong_drug() -> None:
    for other in (gtin("1234567890"), gtin("7002019121")):  # another labeler; another product
        outcome = only(PLAN_75, kit_code(other, serial="Z"))
        assert reason(outcome) is RefusalReason.WRONG_DRUG and outcome.match is None
        assert outcome.refusal is not None and other in outcome.refusal.message
        assert "is not an IXEMPRA kit (70020-1911, 70020-1910)" in outcome.refusal.message
        assert outcome.kit is not None  # the near miss keeps what was read


def test_a_strength_not_in_the_plan_is_refused_as_wrong_strength() -> None:
    outcome = only(PLAN_30, K45)
    assert reason(outcome) is RefusalReason.WRONG_STRENGTH and outcome.strength_mg == 45
    assert outcome.refusal is not None
    assert "the plan has no 45 mg kit (plan: 2 × 15 mg)" in outcome.refusal.message


@pytest.mark.parametrize(
    ("expiry", "accepted"),
    [("260309", False), ("260310", True), ("260311", True), ("260200", False), ("260300", True)],
    ids=["yesterday", "today", "tomorrow", "end-of-last-month", "end-of-this-month"],
)
def test_a_kit_is_usable_through_its_expiry_date(expiry: str, accepted: bool) -> None:
    outcome = only(PLAN_75, kit_code(expiry=expiry))
    assert outcome.accepted is accepted
    if not accepted:
        assert reason(outcome) is RefusalReason.EXPIRED and outcome.refusal is not None
        assert "(today is 2026-03-10)" in outcome.refusal.message


def test_today_is_the_local_date_of_the_scan() -> None:
    code = kit_code(expiry="260309")
    late_evening = datetime(2026, 3, 10, 3, 30, tzinfo=UTC)  # 22:30 on the 9th at -05:00
    assert check_kits(PLAN_75, [Scan(code, late_evening)], tz=EST).outcomes[0].accepted
    in_utc = check_kits(PLAN_75, [Scan(code, late_evening)], tz=UTC).outcomes[0]
    assert reason(in_utc) is RefusalReason.EXPIRED
    naive = check_kits(PLAN_75, [Scan(code, datetime(2026, 3, 9, 23, 59))], tz=EST)
    assert naive.outcomes[0].accepted  # naive: wall time at the pharmacy


def test_the_same_serialised_kit_twice_is_refused() -> None:
    outcome = only(PLAN_75, K15A, K15A)
    assert reason(outcome) is RefusalReason.IDENTICAL and outcome.refusal is not None
    assert "serial A1, was already accepted at 2026-03-10 09:00" in outcome.refusal.message
    assert "scan the serialised code" in outcome.refusal.message


@pytest.mark.parametrize(
    ("first", "second", "distinct"),
    [
        (kit_code(lot="L1"), kit_code(lot="L1"), False),  # no serials, same lot
        (kit_code(lot="L1"), kit_code(lot="L2"), True),  # no serials, lots differ
        (kit_code(lot="L1", serial="S1"), kit_code(lot="L1", serial="S2"), True),
        (kit_code(lot="L1", serial="S1"), kit_code(lot="L1"), False),  # one serial missing
        (kit_code(lot="L1"), kit_code(lot="L1", serial="S1"), False),
        (kit_code(lot="L1", serial="S1"), kit_code(lot="L2", serial="S1"), False),  # same SGTIN
    ],
)
def test_two_kits_are_distinct_by_serial_or_else_by_lot(
    first: str, second: str, distinct: bool
) -> None:
    outcome = only(PLAN_75, first, second)
    assert outcome.accepted is distinct
    if not distinct:
        assert reason(outcome) is RefusalReason.IDENTICAL and outcome.refusal is not None
        assert "Scan the serialised code" in outcome.refusal.message or (
            "scan the serialised code" in outcome.refusal.message
        )


def test_the_same_serial_on_two_products_is_two_kits() -> None:
    result = check_kits(
        PLAN_75, scans(kit_code(GTIN_15, serial="S"), kit_code(GTIN_45, serial="S"))
    )
    assert all(o.accepted for o in result.outcomes)


def test_a_kit_beyond_the_plan_is_refused_as_surplus() -> None:
    outcome = only(PLAN_75, K15A, K15B, kit_code(serial="C9"))
    assert reason(outcome) is RefusalReason.SURPLUS and outcome.refusal is not None
    assert "the plan needs 2 × 15 mg and 2 are already scanned" in outcome.refusal.message


def test_rescanning_an_accepted_kit_of_a_full_strength_says_identical_not_surplus() -> None:
    assert reason(only(PLAN_75, K15A, K15B, K15A)) is RefusalReason.IDENTICAL


def test_a_refused_scan_takes_no_place_in_the_plan() -> None:
    result = check_kits(
        PLAN_30, scans(kit_code(expiry="200101", serial="X"), K45, "garbage", K15A, K15B), tz=EST
    )
    assert [reason(o) for o in result.outcomes] == [
        RefusalReason.EXPIRED,
        RefusalReason.WRONG_STRENGTH,
        RefusalReason.UNREADABLE,
        None,
        None,
    ]
    assert result.complete and len(result.near_misses) == 3
    assert [o.text for o in result.near_misses] == [
        kit_code(expiry="200101", serial="X"),
        K45,
        "garbage",
    ]
    assert [o.at for o in result.near_misses] == [TODAY + i * MIN for i in range(3)]


def test_an_unreadable_scan_keeps_the_reading_problem() -> None:
    outcome = only(PLAN_75, kit_code(order=("01", "10", "17"), separator=""))
    assert reason(outcome) is RefusalReason.UNREADABLE and outcome.kit is None
    assert outcome.refusal is not None and outcome.refusal.problem is ScanProblem.SEPARATOR_LOST
    assert "no expiry date (AI 17)" in outcome.refusal.message


def test_the_group_separator_substitute_reaches_the_reader() -> None:
    text = kit_code(serial="S1", separator="|")
    assert not check_kits(PLAN_75, scans(text)).outcomes[0].accepted
    assert check_kits(PLAN_75, scans(text), gs_substitute="|").outcomes[0].accepted
    assert check_kits(PLAN_75, scans(text.replace("|", GS))).outcomes[0].accepted


def test_a_plan_the_kits_cannot_make_is_a_programming_error() -> None:
    for plan in (VialPlan(((30, 1),), 30), VialPlan(((45, 0), (15, 0)), 0)):
        with pytest.raises(ValueError, match="cannot be prepared from the kits"):
            check_kits(plan, [])


# -- the whole preparation: kits and clocks -------------------------------------------------


def prepare(
    texts: tuple[str, ...], recon: datetime | None, diluted: datetime | None, now: datetime
) -> PreparationCheck:
    return check_preparation(
        PLAN_75,
        scans(*texts),
        reconstituted_at=recon,
        diluted_at=diluted,
        infusion_hours=3,
        now=now,
        tz=EST,
    )


ALL = (K15A, K45, K15B)
RECON = TODAY + 5 * MIN
DILUTED = RECON + 40 * MIN


def test_a_complete_preparation_may_print_its_label() -> None:
    result = prepare(ALL, RECON, DILUTED, DILUTED + MIN)
    assert result.label_allowed and not result.failed and result.blockers == ()
    assert result.clocks.complete_by == DILUTED + timedelta(hours=6)


def test_a_near_miss_does_not_block_a_complete_preparation() -> None:
    result = prepare(("not a kit", *ALL), RECON, DILUTED, DILUTED + MIN)
    assert result.label_allowed and len(result.kits.near_misses) == 1


def test_missing_kits_and_unrecorded_times_block_the_label() -> None:
    result = prepare((K15A,), None, None, TODAY + 2 * MIN)
    assert not result.label_allowed and not result.failed
    assert result.blockers == (
        "Kits still to scan: 1 × 45 mg + 1 × 15 mg (plan: 1 × 45 mg + 2 × 15 mg).",
        "The reconstitution time is not recorded.",
        "The dilution (bag completed) time is not recorded.",
    )


def test_more_than_an_hour_before_dilution_fails_the_preparation() -> None:
    result = prepare(ALL, RECON, RECON + timedelta(minutes=61), RECON + timedelta(minutes=62))
    assert result.failed and not result.label_allowed
    assert "Preparation failed: discard and remake" in result.failures[0]
    assert result.failures[0] in result.blockers


@pytest.mark.parametrize(
    ("days", "recon", "blocked"),
    [
        (0, RECON, False),  # verified for today, prepared today
        (1, RECON, True),  # verified for tomorrow
        (-1, RECON, True),  # verified for yesterday
        (0, None, False),  # not reconstituted yet: today (``now``) is the day
        (1, None, True),
    ],
)
def test_a_dose_is_prepared_on_the_day_it_was_verified_for(
    days: int, recon: datetime | None, blocked: bool
) -> None:
    """clinical-rules §5: the bag is infused within 6 h of dilution, so a dose verified for
    another day has no label (clinical audit D1); the pharmacy's zone decides the day."""
    day = TODAY.date() + timedelta(days=days)
    now = DILUTED + MIN
    result = check_preparation(
        PLAN_75,
        scans(*ALL),
        reconstituted_at=recon,
        diluted_at=DILUTED if recon else None,
        infusion_hours=3,
        now=now,
        tz=EST,
        administered_on=day,
    )
    said = [b for b in result.blockers if b.startswith("This dose was verified for")]
    assert bool(said) is blocked
    if blocked:
        assert said[0].startswith(
            f"This dose was verified for administration on {day.isoformat()}; it is being "
            f"prepared on {TODAY.date().isoformat()}."
        )
        assert not result.label_allowed


def test_prepared_after_midnight_for_the_day_before_is_another_day() -> None:
    late = datetime(2026, 3, 10, 23, 50, tzinfo=EST)
    result = check_preparation(
        PLAN_75,
        scans(*ALL),
        reconstituted_at=late + 15 * MIN,  # 00:05 on the 11th
        diluted_at=late + 30 * MIN,
        infusion_hours=3,
        now=late + 31 * MIN,
        tz=EST,
        administered_on=late.date(),
    )
    assert any("prepared on 2026-03-11" in b for b in result.blockers)


def test_a_kit_reconstituted_after_its_expiry_fails_the_preparation() -> None:
    expiring = kit_code(GTIN_45, expiry="260310", serial="E")
    midnight = datetime(2026, 3, 10, 23, 50, tzinfo=EST)
    result = check_preparation(
        PLAN_75,
        [Scan(K15A, midnight), Scan(expiring, midnight), Scan(K15B, midnight)],
        reconstituted_at=midnight + 15 * MIN,
        diluted_at=midnight + 30 * MIN,
        infusion_hours=3,
        now=midnight + 31 * MIN,
        tz=EST,
    )
    assert result.kits.complete  # usable on the 10th, when it was scanned
    assert (
        result.failed
        and "expired on 2026-03-10 and was reconstituted on 2026-03-11" in (result.failures[0])
    )


def test_the_label_is_refused_too_late_to_finish_the_infusion_in_time() -> None:
    on_time = prepare(ALL, RECON, DILUTED, DILUTED + timedelta(hours=3))
    assert on_time.label_allowed
    late = prepare(ALL, RECON, DILUTED, DILUTED + timedelta(hours=3, seconds=1))
    assert not late.label_allowed and not late.failed
    assert late.blockers[0].startswith("Too late to print the label")


def test_times_refused_as_input_block_the_label_with_their_message() -> None:
    result = prepare(ALL, DILUTED, RECON, DILUTED + MIN)  # swapped
    assert not result.label_allowed
    assert any("is before the reconstitution" in b for b in result.blockers)


def test_expiry_dates_come_from_the_scans_not_from_a_clock() -> None:
    # The same scans judged as if on another day: nothing in the check reads the clock.
    past = datetime(2020, 6, 1, 9, 0, tzinfo=EST)
    result = check_kits(PLAN_75, scans(kit_code(expiry="200531"), at=past), tz=EST)
    assert reason(result.outcomes[0]) is RefusalReason.EXPIRED
    same_day = check_kits(PLAN_75, scans(kit_code(expiry="200601"), at=past), tz=EST)
    assert same_day.outcomes[0].accepted
