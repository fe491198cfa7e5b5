"""Hypothesis over every parser issue 13 touches outside the core: identifiers and their key,
names and comments, the administration and request dates, the coverage answers, the site
settings, the anchor file, the CLI's record id and head options, CSV cells and stored records.

Every input is answered (a value, or a message naming the field): no exception escapes, with
the extremes always in the mix (datetime max and min, 5,000-digit strings, characters of every
Unicode category, surrogates included)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import string
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ixempra_gui.cli import journal as journal_cli
from ixempra_gui.core.coverage_input import CoverageOrder, parse_coverage_order
from ixempra_gui.core.policy import load_policy
from ixempra_gui.journal.anchor import AnchorFile, AnchorUnreadable, Head
from ixempra_gui.journal.entries import StoredRecord, parse_administration_date
from ixempra_gui.journal.export import COLUMNS, FORMULA_TRIGGERS, record_row
from ixempra_gui.journal.identifiers import (
    check_free_text,
    check_patient_id,
    check_person,
    patient_key,
    trim_patient_id,
)
from ixempra_gui.system.site_settings import SiteSettings, parse_site_settings, read_group

POLICY = load_policy()
TODAY = date(2026, 1, 15)
CATEGORIES = (
    *("Cc", "Cf", "Cn", "Co", "Cs", "Ll", "Lm", "Lo", "Lt", "Lu", "Mc", "Me", "Mn", "Nd", "Nl"),
    *("No", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "Sc", "Sk", "Sm", "So", "Zl", "Zp", "Zs"),
)
EXTREMES = [
    datetime.max.isoformat(),
    datetime.min.isoformat(),
    date.max.isoformat(),
    date.min.isoformat(),
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "9" * 5000,
    "1" + "0" * 4999,
    "-" + "9" * 4999,
    "٩" * 5000,
    "",
    " ",
    "\x00",
    "\udcff",
    "\ufeff",
    "=1+1",
    "NaN",
    "1e309",
]


def any_category(category: str) -> st.SearchStrategy[str]:
    return st.text(st.characters(categories=[category]), min_size=1, max_size=60)  # type: ignore[list-item]


HOSTILE = st.one_of(
    st.sampled_from(EXTREMES),
    st.sampled_from(CATEGORIES).flatmap(any_category),
    st.text(st.characters(categories=CATEGORIES), max_size=80),  # type: ignore[arg-type]
    st.text(alphabet=string.digits, min_size=5000, max_size=5000),
    st.tuples(st.sampled_from(EXTREMES), st.text(max_size=5)).map("".join),
    st.dates().map(date.isoformat),
    st.datetimes().map(datetime.isoformat),
)
FUZZ = settings(max_examples=250, deadline=None)


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_unicode_category_is_answered_by_every_text_check(category: str) -> None:
    """One character of each category in an identifier, a name, a comment and a date."""
    sample = next(chr(c) for c in range(0x80, 0x110000) if unicodedata.category(chr(c)) == category)
    text = f"MRN{sample}1"
    problem = check_patient_id(text, SiteSettings())
    assert problem is not None and f"U+{ord(sample):04X}" in problem and "position 4" in problem
    assert isinstance(patient_key(text), str)
    for check in (check_person("Verified by", f"A{sample}B"), check_free_text("Comment", sample)):
        assert check is None or check.split(":")[0] in ("Verified by", "Comment")
    with pytest.raises(ValueError, match=r"^Administration date"):
        parse_administration_date(f"2025-03-0{sample}", TODAY)


@FUZZ
@given(text=HOSTILE)
def test_identifiers_are_answered_and_the_key_ignores_only_spaces_and_case(text: str) -> None:
    problem = check_patient_id(text, SiteSettings())
    key = patient_key(text)
    assert isinstance(key, str) and not any(ch.isspace() for ch in key)
    if problem is None:
        clean = trim_patient_id(text)
        assert clean.isascii() and clean.isprintable() and 1 <= len(clean) <= 40
        assert "  " not in clean
        # merging can only count more: the spelled-differently forms are one patient
        assert key == patient_key(clean.upper()) == patient_key(clean.replace(" ", ""))
        assert check_patient_id(key, SiteSettings()) is None
    else:
        assert problem.startswith("Patient id:")


@FUZZ
@given(text=HOSTILE)
def test_names_and_free_text_are_answered(text: str) -> None:
    for label, problem in (
        ("Prepared by", check_person("Prepared by", text)),
        ("Comment", check_free_text("Comment", text)),
    ):
        if problem is None:
            assert all(
                unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
                or ch == "\n"
                for ch in text
            )
            assert all(ch in "0123456789" for ch in text if ch.isdigit())
        else:
            assert problem.startswith(label)


@FUZZ
@given(text=HOSTILE, today=st.dates(min_value=date(2000, 1, 1), max_value=date(9000, 1, 1)))
def test_the_administration_date_is_a_date_in_range_or_a_named_refusal(
    text: str, today: date
) -> None:
    try:
        value = parse_administration_date(text, today)
    except ValueError as exc:
        assert str(exc).startswith("Administration date:")
        return
    assert date(2000, 1, 1) <= value <= today + timedelta(days=366)


@FUZZ
@given(
    answers=st.fixed_dictionaries(
        {
            name: st.one_of(st.none(), HOSTILE)
            for name in (
                "request",
                "diagnosis",
                "setting",
                "resistant_to",
                "response",
                "unacceptable_toxicity",
                "request_date",
            )
        }
    ),
    today=st.dates(min_value=date(2000, 1, 1), max_value=date(9000, 1, 1)),
)
def test_coverage_answers_are_a_request_or_issues_naming_fields(answers, today: date) -> None:
    request, issues = parse_coverage_order(CoverageOrder(**answers), POLICY, today)
    if request is None:
        assert issues and all(i.message.split(":")[0] for i in issues)
        assert all(i.message.isprintable() for i in issues)  # nothing echoed raw
    else:
        assert not issues
        if answers["request_date"] and answers["request_date"].strip():
            assert date(2024, 2, 16) <= request.request_date <= today + timedelta(days=366)


@FUZZ
@given(text=st.one_of(HOSTILE, st.text()))
def test_the_site_settings_file_is_read_whatever_it_holds(tmp_path_factory, text: str) -> None:
    path = tmp_path_factory.mktemp("ini") / "settings.ini"
    path.write_text(
        f"[site]\npatient_id_pattern={text}\npdf_name_with_patient_id={text}\n",
        encoding="utf-8",
        errors="surrogatepass",
    )
    site, problems = parse_site_settings(read_group(path, "site"))
    assert isinstance(site, SiteSettings) and all(isinstance(p, str) for p in problems)
    if site.patient_id_pattern is not None:  # a usable pattern is used, and answers too
        assert check_patient_id("MRN 1", site) is None or "Patient id" in (
            check_patient_id("MRN 1", site) or ""
        )


@FUZZ
@given(
    data=st.one_of(
        st.binary(max_size=300), HOSTILE.map(lambda t: t.encode("utf-8", "surrogatepass"))
    )
)
def test_the_anchor_file_is_a_head_or_unreadable(tmp_path_factory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("anchor") / "a.json"
    path.write_bytes(data)
    try:
        head = AnchorFile(path).read()
    except AnchorUnreadable:
        return
    assert isinstance(head, Head) and 0 <= head.id < 2**63 and len(head.hash) == 64


def _run(args: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = journal_cli.main(args)
        except SystemExit as stop:  # argparse's own usage errors
            code = int(stop.code or 0)
    return code, err.getvalue()


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=HOSTILE.filter(lambda t: "\x00" not in t))
def test_the_journal_cli_answers_any_id_head_or_patient_filter(
    small_journal: Path, text: str
) -> None:
    """In this test's own empty data folder (tests/conftest.py), then in a journal of three."""
    for folder in (None, small_journal):
        with _data_dir(folder):
            for args in (
                ["show", "--", text],
                ["verify", "--expect-head", text],
                ["list", "--patient-id", text],
            ):
                code, err = _run(args)
                assert code in (0, 1, 2), (args, err)
                assert "internal error" not in err and "Traceback" not in err


@contextlib.contextmanager
def _data_dir(folder: Path | None):
    before = os.environ["IXEMPRA_DATA_DIR"]
    if folder is not None:
        os.environ["IXEMPRA_DATA_DIR"] = str(folder)
    try:
        yield
    finally:
        os.environ["IXEMPRA_DATA_DIR"] = before


@pytest.fixture(scope="module")
def small_journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import order_kwargs

    from ixempra_gui.core.calculator import calculate
    from ixempra_gui.core.models import Order
    from ixempra_gui.journal.entries import NewRecord
    from ixempra_gui.journal.store import Journal

    folder = tmp_path_factory.mktemp("small")
    order = Order(**order_kwargs())
    with Journal.open(folder, anchor=None) as journal:
        for patient in ("MRN 1", "MRN 2", "MRN 3"):
            new = NewRecord(patient, date(2025, 3, 1), "A", "B", order, calculate(order))
            journal.record(new)
    return folder


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), HOSTILE),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=12,
)
KEYS = [
    "patient_id",
    "prepared_by",
    "verified_by",
    "status",
    "result",
    "policy",
    "double_check",
    "acknowledged_warnings",
    "recorded_at",
    "administered_on",
    "inputs",
    "reason",
]


@FUZZ
@given(content=st.dictionaries(st.sampled_from(KEYS), json_values, max_size=8))
def test_any_stored_content_gives_a_safe_csv_row_and_total_accessors(content: dict) -> None:
    record = StoredRecord(5, "a" * 64, "b" * 64, content)
    row = record_row(record)
    assert len(row) == len(COLUMNS) == 42  # 26 + the preparation columns (issue 16)
    for cell in row:
        assert isinstance(cell, str)
        if cell.startswith(FORMULA_TRIGGERS):
            float(cell)  # only a number may start with "-" or "+"
    for accessor in ("patient_id", "administered_on", "recorded_at", "status", "short_hash"):
        assert isinstance(getattr(record, accessor), str)
    assert isinstance(record.result, dict) and isinstance(record.is_dose, bool)
    json.dumps(record.content)


def test_strategies_hold_their_extremes() -> None:
    assert "9" * 5000 in EXTREMES and datetime.max.isoformat() in EXTREMES
    assert len(CATEGORIES) == 30 and Path(__file__).is_file()
