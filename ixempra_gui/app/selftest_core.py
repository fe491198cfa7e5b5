"""The self-test's checks that need no Qt: Python, the data files, the golden cases, kit
scanning, the journal and the site journal's driver; and how a check reports
(``CheckFailed``, ``NotInThisBuild``).

Each check imports what it checks: a part missing from an install fails its own check, never
the run.
"""

from __future__ import annotations

import importlib.util
import json
import platform
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ixempra_gui import APP_NAME, __version__
from ixempra_gui.core.resources import resource_path, resources_dir

EXIT_OK = 0
EXIT_FAILED = 1

GOLDEN_CASES = ("golden", "reference-cases.json")
ICON = ("icons", "ixempra-gui.svg")
NOT_AVAILABLE = "not available in this build"


class CheckFailed(Exception):
    """A self-test check found a problem; the message says what."""


class NotInThisBuild(Exception):
    """The part a check covers is not in this build (not a failure)."""


@dataclass
class Outcome:
    name: str
    ok: bool
    detail: str


# -- checks that need no Qt -----------------------------------------------------------------


def check_python() -> str:
    frozen = " (frozen)" if getattr(sys, "frozen", False) else ""
    return (
        f"{platform.python_implementation()} {platform.python_version()} "
        f"{platform.machine() or '?'}{frozen} at {sys.executable}; "
        f"{APP_NAME} {__version__} from {Path(__file__).resolve().parent.parent}"
    )


def check_resources() -> str:
    # in the check: a part missing from this install fails this check only
    from ixempra_gui.core.policy import load_policy
    from ixempra_gui.core.units import registry

    folder = resources_dir()
    policy = load_policy()
    registry().Quantity(1, "m").to("cm")
    for parts in (GOLDEN_CASES, ICON):
        if not resource_path(*parts).is_file():
            raise CheckFailed(f"missing {'/'.join(parts)} in {folder}")
    return f"{folder} (policy {policy.id} reviewed {policy.last_review}, unit definitions)"


def golden_mismatches(case: dict[str, Any], out: dict[str, Any]) -> list[str]:
    """Each expected key whose value differs, as 'key: expected X, got Y'."""
    wrong = []
    for key, value in case["expected"].items():
        got = out.get(key)
        if key == "billing" and value is not None and isinstance(got, dict):
            got = {k: got.get(k) for k in value}
        if got != value:
            wrong.append(f"{key}: expected {value!r}, got {got!r}")
    return wrong


def check_golden_cases() -> str:
    # in the check: a part missing from this install fails this check only
    from ixempra_gui.cli.calc import build_parser, order_from_args
    from ixempra_gui.core.calculator import calculate
    from ixempra_gui.core.report import to_json_dict

    cases = json.loads(resource_path(*GOLDEN_CASES).read_text(encoding="utf-8"))
    if not cases:
        raise CheckFailed("no golden cases bundled")
    failures = []
    for case in cases:
        argv = [part for key, value in case["args"].items() for part in (key, value)]
        args = build_parser().parse_args([*argv, *case.get("flags", [])])
        out = to_json_dict(calculate(order_from_args(args)))
        wrong = golden_mismatches(case, out)
        if wrong:
            failures.append(f"{case['id']} ({'; '.join(wrong)})")
    if failures:
        raise CheckFailed(f"{len(failures)}/{len(cases)} cases differ: " + " | ".join(failures))
    return f"{len(cases)}/{len(cases)} reference cases give the expected results"


def check_kit_scanning() -> str:
    """Each kit's code, composed with biip's check digit, reads back as that kit; a wrong check
    digit is refused: biip and its data files (AI table, prefix tries) work where installed."""
    # in the check: a part missing from this install fails this check only
    import biip
    from biip.checksums import gs1_standard_check_digit

    from ixempra_gui.core.gs1_scan import GS, KitScan, ScanRefusal, parse_scan
    from ixempra_gui.core.kits import load_kits

    catalog = load_kits()
    read = []
    for kit in catalog.kits:
        payload = "003" + kit.ndc_digits
        gtin = payload + str(gs1_standard_check_digit(payload))
        scan = parse_scan(f"]d201{gtin}17271231{GS}21SELFTEST{GS}10LOT42\r\n")
        match = catalog.identify(scan.ndc10) if isinstance(scan, KitScan) else None
        if match is None or match.product != kit:
            raise CheckFailed(f"the {kit.strength_mg} mg kit's code did not read back: {scan}")
        wrong = gtin[:-1] + str((int(gtin[-1]) + 1) % 10)
        if not isinstance(parse_scan(f"01{wrong}17271231{GS}10LOT42"), ScanRefusal):
            raise CheckFailed(f"a wrong check digit on {wrong} was accepted")
        unverified = "" if kit.package_verified else ", package code unverified"
        read.append(f"{kit.strength_mg} mg {kit.ndc11}{unverified}")
    return f"biip {biip.__version__} reads the kits' codes ({'; '.join(read)})"


#: "1234" in Code 128 (code set C: start C, 12, 34, check symbol 82, stop), ISO/IEC 15417's
#: bar and space widths written out as modules (tests/code128_decode.py reads it as "1234").
CODE128_1234 = "110100111001011001110010001011000100100111101100011101011"


def check_label_barcode() -> str:
    """python-barcode draws the bag label's Code 128 as the standard says, and its SVG writer
    works where installed (issue 16)."""
    # in the check: a part missing from this install fails this check only
    import barcode  # type: ignore[import-untyped]

    from ixempra_gui.journal.bag_label import code128

    symbol = code128("1234")
    if symbol.modules != CODE128_1234:
        raise CheckFailed(f"Code 128 of 1234 is {symbol.modules}, expected {CODE128_1234}")
    bars = symbol.svg().count("<rect")
    if bars < 2:
        raise CheckFailed(f"python-barcode's SVG writer drew {bars} rectangles")
    return f"python-barcode {barcode.version} draws Code 128 (record 1234: {bars - 1} bars)"


def golden_order(case_id: str = "v01") -> Any:
    """The Order of one bundled golden case, read the way ixempra-calc reads its options."""
    # in the check: a part missing from this install fails this check only
    from ixempra_gui.cli.calc import build_parser, order_from_args

    cases = json.loads(resource_path(*GOLDEN_CASES).read_text(encoding="utf-8"))
    case = next(c for c in cases if c["id"] == case_id)
    argv = [part for key, value in case["args"].items() for part in (key, value)]
    return order_from_args(build_parser().parse_args([*argv, *case.get("flags", [])]))


def check_journal(folder: Path) -> str:
    """Create a journal in ``folder`` (never the user's, nor the user's anchor: its own anchor
    beside it), record golden case v01 as a verified dose, and walk the chain and check the
    anchor: SQLite (its JSON functions), WAL, fsync and hashing work where the app is
    installed."""
    if importlib.util.find_spec("ixempra_gui.journal") is None:
        raise NotInThisBuild(NOT_AVAILABLE)
    # in the check: a part missing from this install fails this check only
    from datetime import date

    from ixempra_gui.core.calculator import calculate
    from ixempra_gui.journal.anchor import AnchorFile
    from ixempra_gui.journal.entries import NewRecord
    from ixempra_gui.journal.store import Journal

    order = golden_order("v01")
    record = NewRecord(
        patient_id="SELF-TEST",
        administered_on=date.today(),
        prepared_by="self-test preparer",
        verified_by="self-test verifier",
        order=order,
        result=calculate(order),
        recorded_with="ixempra-gui --self-test",
    )
    anchor = AnchorFile(folder / "self-test-anchor.json")
    with Journal.open(folder, anchor=anchor) as journal:
        stored = journal.record(record)
        report = journal.verify()
        path = journal.path
    if not report.ok or report.records != 1:
        raise CheckFailed(f"chain of {report.records} record(s) failed: {report.problem}")
    if anchor.read() != report.head:
        raise CheckFailed(f"the anchor {anchor.path} does not hold the head")
    return f"record {stored.id} ({stored.short_hash}) written, verified and anchored in {path}"


def check_site_journal() -> str:
    """The site journal's PostgreSQL driver loads here (psycopg and the libpq, OpenSSL it
    carries), and which journal this workstation is set up for: the site settings are read as
    the app reads them, so a site.ini that cannot be used fails this check. No connection."""
    if importlib.util.find_spec("psycopg") is None:
        raise NotInThisBuild(NOT_AVAILABLE + " (install ixempra-gui[postgresql])")
    # in the check: a part missing from this install fails this check only
    import psycopg

    from ixempra_gui.journal.configured import location
    from ixempra_gui.journal.errors import JournalError

    libpq = psycopg.pq.version()  # loads libpq (and, through it, OpenSSL)
    try:
        where = location()
    except JournalError as exc:
        raise CheckFailed(str(exc)) from exc
    return (
        f"psycopg {psycopg.__version__} ({psycopg.pq.__impl__}), libpq "
        f"{libpq // 10000}.{libpq % 10000}; this workstation uses the {where}"
    )
