"""Hypothesis over ``ixempra-journal prepare``, ``near-misses`` and ``label`` (issue 16): any
scan text (5,000 characters, every Unicode category, lone surrogates, NUL), any time (datetime
extremes, offsets, garbage), any record id or date is answered with an exit status of the
contract and a message, never a traceback; what a near miss keeps is the scan's exact length
and SHA-256, shown without an invisible character."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from gs1_codes import GTIN_45, kit_code
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ixempra_gui.cli import journal as journal_cli
from ixempra_gui.journal.kinds import NEAR_MISS
from ixempra_gui.journal.store import Journal

EXPIRY = (date.today() + timedelta(days=400)).strftime("%y%m%d")
K45 = kit_code(GTIN_45, EXPIRY, "LOT45", "S45")
CATEGORIES = (
    *("Cc", "Cf", "Cn", "Co", "Cs", "Ll", "Lm", "Lo", "Lt", "Lu", "Mc", "Me", "Mn", "Nd", "Nl"),
    *("No", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "Sc", "Sk", "Sm", "So", "Zl", "Zp", "Zs"),
)
SCANS = st.one_of(
    st.text(st.characters(exclude_categories=()), min_size=1, max_size=5000),
    st.sampled_from(CATEGORIES).flatmap(
        lambda c: st.text(st.characters(categories=[c]), min_size=1, max_size=80)  # type: ignore[list-item]
    ),
    st.integers(1, 5000).map(lambda n: "9" * n),
    st.sampled_from(["\x00", "\udcff", "\ufeff", "=1+1", "]d2", "\x1d" * 10, "01" * 2500]),
    st.text(st.sampled_from("0123456789\x1d#|]dC2"), min_size=1, max_size=5000),
)
TIMES = st.one_of(
    st.datetimes().map(datetime.isoformat),
    st.datetimes(timezones=st.just(timezone(timedelta(hours=14)))).map(datetime.isoformat),
    st.datetimes(timezones=st.just(timezone(-timedelta(hours=23, minutes=59)))).map(
        datetime.isoformat
    ),
    st.sampled_from(
        [
            datetime.max.isoformat(),
            datetime.min.isoformat(),
            "9999-12-31T23:59:59.999999+14:00",
            "0001-01-01T00:00-23:59",
            "2025-02-30T10:00",
            "2025-03-01T24:00",
            "9" * 5000,
            "",
            "2025-03-01T10:00\x00",
            "２０２５-０３-０１T10:00",
            "\udcff",
        ]
    ),
    st.text(max_size=60),
)
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = journal_cli.main(args)
        except SystemExit as stop:  # argparse's own usage errors
            code = int(stop.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def journal_with_a_dose(tmp_path: Path) -> Iterator[Path]:
    from conftest import order_kwargs

    from ixempra_gui.core.calculator import calculate
    from ixempra_gui.core.models import Order
    from ixempra_gui.journal.entries import NewRecord

    order = Order(**order_kwargs())
    with Journal.open(tmp_path) as journal:
        journal.record(NewRecord("MRN 1", date(2025, 3, 1), "A", "B", order, calculate(order)))
    before = os.environ["IXEMPRA_DATA_DIR"]
    os.environ["IXEMPRA_DATA_DIR"] = str(tmp_path)
    try:
        yield tmp_path
    finally:
        os.environ["IXEMPRA_DATA_DIR"] = before


def _clean(err: str) -> None:
    assert "internal error" not in err and "Traceback" not in err, err


@FUZZ
@given(text=SCANS, as_json=st.booleans())
@example(text="--", as_json=False)  # Python 3.11's argparse drops the value "--" of --scan=--
@example(text="]A\x1b", as_json=False)  # a control character as symbology modifier (CI found)
def test_any_scan_is_judged_and_a_refused_one_kept_exactly(
    journal_with_a_dose: Path, text: str, as_json: bool
) -> None:
    args = ["prepare", "1", "--compounded-by", "C", f"--scan={text}"]
    code, out, err = _run([*args, "--json"] if as_json else args)
    _clean(err)
    if not text.strip(" \t\r\n"):
        assert code == 2 and "is empty" in err
        return
    assert code in (3, 5), err  # one kit of three: never complete
    if code == 3:
        assert "still to scan" in out or '"kits_missing"' in out
        return
    journal = Journal.open_read_only(journal_with_a_dose)
    assert journal is not None
    with journal:
        kept = list(journal.records_of_kind(NEAR_MISS))[-1]
    scan = kept.content["scan"]
    assert scan["length"] == len(text)
    assert scan["sha256"] == hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    assert scan["text"].isprintable() and "\x1d" not in scan["text"] and len(scan["text"]) <= 201
    assert kept.content["refusal"]["message"].isprintable()


@FUZZ
@given(recon=TIMES, diluted=TIMES)
def test_any_time_is_taken_or_refused_naming_its_option(
    journal_with_a_dose: Path, recon: str, diluted: str
) -> None:
    code, _, err = _run(
        ["prepare", "1", "--compounded-by", "C", "--scan", K45,
         f"--reconstituted-at={recon}", f"--diluted-at={diluted}"]
    )  # fmt: skip
    _clean(err)
    assert code in (2, 3), err
    if code == 2:
        assert "reconstituted_at (--reconstituted-at)" in err or "diluted_at (--diluted-at)" in err
    assert not list(Journal.open_read_only(journal_with_a_dose).records_of_kind(NEAR_MISS))  # type: ignore[union-attr]


@FUZZ
@given(text=st.one_of(SCANS, TIMES))
def test_label_and_near_misses_answer_any_id_or_date(journal_with_a_dose: Path, text: str) -> None:
    for args in (
        ["label", "--", text],
        ["near-misses", f"--since={text}"],
        ["prepare", "--", text, "--scan", K45, "--compounded-by", "C"],
    ):
        code, _, err = _run(args)
        _clean(err)
        assert code in (0, 1, 2, 3), (args, err)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text()),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(), inner)),
    max_leaves=12,
)
KEYS = ["kind", "status", "dose_record", "kits", "reconstituted_at", "diluted_at", "failures",
        "infusion_hours", "result", "patient_id", "vials", "preparation", "dose_mg"]  # fmt: skip


@settings(max_examples=250, deadline=None)
@given(
    dose=st.dictionaries(st.sampled_from(KEYS), json_values),
    prep=st.dictionaries(st.sampled_from(KEYS), json_values),
    base=st.booleans(),
)
def test_any_stored_content_gives_a_label_or_a_refusal(dose: dict, prep: dict, base: bool) -> None:
    """Records read back are data: whatever they hold, the label is made or refused."""
    from conftest import order_kwargs

    from ixempra_gui.core.calculator import calculate
    from ixempra_gui.core.models import Order
    from ixempra_gui.core.policy import load_policy
    from ixempra_gui.journal.bag_label import LabelRefused, bag_label_document
    from ixempra_gui.journal.entries import NewRecord, StoredRecord, draft_content
    from ixempra_gui.journal.preparation_records import (
        NotPreparable,
        dose_to_prepare,
        read_preparation,
    )

    if base:  # a real dose with fields replaced
        order = Order(**order_kwargs())
        real = draft_content(NewRecord("P", date(2025, 3, 1), "A", "B", order, calculate(order)),
                             load_policy())  # fmt: skip
        dose = {**real, **dose}
    dose_record = StoredRecord(1, "h" * 64, "0" * 64, dose)
    prep_record = StoredRecord(2, "g" * 64, "h" * 64, {**prep, "kind": "preparation"})
    with contextlib.suppress(NotPreparable):
        dose_to_prepare(dose_record)
    preparation = read_preparation(prep_record)
    try:
        label = bag_label_document(dose_record, preparation, now=datetime(2026, 1, 1))
    except LabelRefused:
        return
    assert label.barcode.text == "1"
