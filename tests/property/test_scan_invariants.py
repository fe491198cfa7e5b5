"""Invariants of kit scanning (hypothesis): any text is read or refused, never raised on; a code
composed right reads back exactly; the plan is never exceeded; an expired kit is never accepted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from biip.checksums import gs1_standard_check_digit
from gs1_codes import GS, GTIN_15, GTIN_45, gtin, kit_code
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ixempra_gui.core.compounding import Scan, check_kits, check_preparation
from ixempra_gui.core.compounding_clock import local_date
from ixempra_gui.core.gs1_scan import (
    GS_SUBSTITUTES,
    KitScan,
    ScanProblem,
    ScanRefusal,
    parse_scan,
)
from ixempra_gui.core.models import VialPlan

CHARSET_82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
EST = timezone(timedelta(hours=-5))
substitutes = st.sampled_from([None, *GS_SUBSTITUTES])

# Every Unicode category, lone surrogates and control characters included.
any_char = st.characters(exclude_categories=())
gs1_pieces = st.sampled_from(
    ["]d2", "]C1", "]Q3", "]d1", "01", "17", "10", "21", "00", "11", GS, "|", "\r\n", "003",
     "70020", "1910", "1911", "271231", "250230", "LOT", " "]
)  # fmt: skip
texts = st.one_of(
    st.text(any_char, max_size=5000),
    st.lists(st.one_of(gs1_pieces, st.text(any_char, max_size=3)), max_size=60).map("".join),
    st.integers(0, 5000).map(lambda n: "9" * n),
    st.integers(0, 5000).map(lambda n: "0" * n),
    st.text(st.sampled_from("0123456789" + GS), max_size=5000),
)


@settings(max_examples=300, deadline=None)
@given(text=texts, substitute=substitutes)
def test_any_text_is_read_or_refused_never_raised_on(text: str, substitute: str | None) -> None:
    result = parse_scan(text, gs_substitute=substitute)
    assert isinstance(result, KitScan | ScanRefusal)
    if isinstance(result, ScanRefusal):
        assert result.message.startswith("Scan not accepted: ") and result.text == text
        assert len(result.message) < 800  # a long scan is cut in the message, not repeated
        return
    assert len(result.gtin) == 14 and result.gtin.isascii() and result.gtin.isdigit()
    assert result.gtin.startswith("003") and result.ndc10 == result.gtin[3:13]
    assert int(result.gtin[13]) == gs1_standard_check_digit(result.gtin[:13])
    assert 1 <= len(result.lot) <= 20 and set(result.lot) <= set(CHARSET_82)


lots = st.text(st.sampled_from(CHARSET_82), min_size=1, max_size=20)
expiries = st.dates(date(2001, 1, 1), date(2049, 12, 31))


@settings(max_examples=300, deadline=None)
@given(
    ndc=st.text(st.sampled_from("0123456789"), min_size=10, max_size=10),
    expiry=expiries,
    day_zero=st.booleans(),
    lot=lots,
    serial=st.one_of(st.none(), lots),
    order=st.permutations(["01", "17", "10", "21"]),
    prefix=st.sampled_from(["", "]d2", "]C1", "]Q3"]),
    substitute=substitutes,
)
def test_a_code_composed_right_reads_back_exactly(
    ndc: str,
    expiry: date,
    day_zero: bool,
    lot: str,
    serial: str | None,
    order: list[str],
    prefix: str,
    substitute: str | None,
) -> None:
    raw = expiry.strftime("%y%m") + ("00" if day_zero else expiry.strftime("%d"))
    code = gtin(ndc)
    text = kit_code(
        code, raw, lot, serial, order=tuple(order), separator=substitute or GS, prefix=prefix
    )
    result = parse_scan(text + "\r\n", gs_substitute=substitute)
    assert isinstance(result, KitScan), result
    assert (result.gtin, result.ndc10, result.lot, result.serial) == (code, ndc, lot, serial)
    assert result.expiry_raw == raw and result.symbology == (prefix or None)
    if day_zero:
        following = date(expiry.year + expiry.month // 12, expiry.month % 12 + 1, 1)
        assert result.expiry == following - timedelta(days=1)
    else:
        assert result.expiry == expiry


@given(position=st.integers(0, 13), digit=st.integers(0, 9), which=st.sampled_from([15, 45]))
def test_any_single_wrong_digit_in_the_gtin_is_refused(
    position: int, digit: int, which: int
) -> None:
    code = GTIN_15 if which == 15 else GTIN_45
    assume(code[position] != str(digit))
    wrong = code[:position] + str(digit) + code[position + 1 :]
    result = parse_scan(kit_code(wrong, serial="S1"))
    assert isinstance(result, ScanRefusal) and result.problem is ScanProblem.CHECK_DIGIT


TODAY = date(2026, 3, 10)
kit_texts = st.builds(
    lambda g, days, lot, serial: kit_code(
        g, (TODAY + timedelta(days=days)).strftime("%y%m%d"), lot, serial
    ),
    st.sampled_from([GTIN_15, GTIN_45, gtin("1234567890"), gtin("7002019121")]),
    st.integers(-3, 3),
    st.sampled_from(["L1", "L2"]),
    st.one_of(st.none(), st.sampled_from(["S1", "S2", "S3"])),
)
scan_lists = st.lists(
    st.tuples(
        st.one_of(kit_texts, kit_texts, st.text(max_size=30)),
        st.integers(-36 * 60, 36 * 60),  # minutes around 09:00 on TODAY
    ),
    max_size=12,
)
plans = st.tuples(st.integers(0, 3), st.integers(0, 3)).filter(lambda c: sum(c) > 0)


@settings(max_examples=300, deadline=None)
@given(plan_counts=plans, items=scan_lists, tz=st.sampled_from([EST, UTC]))
def test_accepted_kits_never_exceed_the_plan_and_are_never_expired(
    plan_counts: tuple[int, int], items: list[tuple[str, int]], tz: timezone
) -> None:
    n45, n15 = plan_counts
    plan = VialPlan(counts=((45, n45), (15, n15)), total_mg=45 * n45 + 15 * n15)
    base = datetime(2026, 3, 10, 9, 0, tzinfo=tz)
    scans = [Scan(text, base + timedelta(minutes=m)) for text, m in items]
    result = check_kits(plan, scans, tz=tz)
    assert len(result.outcomes) == len(scans)
    accepted = result.accepted
    for strength, count in plan.counts:
        assert result.accepted_count(strength) <= count
    for outcome in accepted:
        assert outcome.kit is not None and outcome.match is not None
        assert outcome.kit.expiry >= local_date(outcome.at, tz)
        assert outcome.strength_mg is not None and plan.count(outcome.strength_mg) > 0
    for i, a in enumerate(accepted):
        for b in accepted[i + 1 :]:
            assert a.kit is not None and b.kit is not None
            if a.kit.gtin == b.kit.gtin:
                serials = a.kit.serial is not None and b.kit.serial is not None
                assert (a.kit.serial != b.kit.serial) if serials else (a.kit.lot != b.kit.lot)
    assert result.complete == all(result.accepted_count(s) == n for s, n in plan.counts)


times = st.one_of(
    st.none(),
    st.datetimes(),  # naive, year 1 to 9999
    st.datetimes(timezones=st.sampled_from([UTC, EST, timezone(timedelta(hours=14))])),
    st.sampled_from([datetime.min, datetime.max, datetime.max.replace(tzinfo=UTC)]),
)
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=EST)
# Times near now, where the limits are: minutes before (+) or after (-) now, seconds exact.
near = st.one_of(
    st.none(), st.integers(-600 * 60, 10 * 60).map(lambda s: NOW + timedelta(seconds=s))
)


@settings(max_examples=300, deadline=None)
@given(
    recon=st.one_of(times, near),
    diluted=st.one_of(times, near),
    hours=st.sampled_from([3, 4]),
    kits=st.integers(0, 2),
)
def test_any_times_are_judged_never_raised_on(
    recon: datetime | None, diluted: datetime | None, hours: int, kits: int
) -> None:
    plan = VialPlan(counts=((45, 0), (15, 1)), total_mg=15)
    result = check_preparation(
        plan,
        [Scan(kit_code(serial=f"S{i}"), NOW - timedelta(hours=2)) for i in range(kits)],
        reconstituted_at=recon,
        diluted_at=diluted,
        infusion_hours=hours,
        now=NOW,
        tz=EST,
    )
    clocks = result.clocks
    assert result.label_allowed == (
        kits >= 1
        and recon is not None
        and diluted is not None
        and not clocks.errors
        and not result.failed
        and clocks.too_late is None
    )
    if result.label_allowed:
        assert clocks.reconstituted_at is not None and clocks.diluted_at is not None
        assert timedelta(0) <= clocks.diluted_at - clocks.reconstituted_at <= timedelta(hours=1)
        assert clocks.start_by is not None and clocks.start_by >= NOW
        assert clocks.diluted_at - NOW <= timedelta(minutes=5)
        assert clocks.complete_by == clocks.diluted_at + timedelta(hours=6)
