"""``ixempra-journal label RECORD_ID [--svg FILE]`` (issue 16): the bag label of a verified
dose's complete preparation, as text or as an SVG file (written as ``export`` writes: a safe
target, atomically, owner-only). Refused (exit 3) unless the preparation is complete and the
infusion can still start in time; a journal, dose or preparation record that fails its checks
is exit 1. Reads only. The site preference ``second_patient_identifier`` (settings.ini,
[preferences]) adds the lines for a second identifier. Never imports Qt.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ixempra_gui.cli.journal_common import err
from ixempra_gui.cli.journal_read import (
    checked,
    integrity_error,
    open_journal,
    path_problem,
    record_id_of,
)
from ixempra_gui.journal import paths
from ixempra_gui.journal.bag_label import LabelRefused, bag_label_document
from ixempra_gui.journal.bag_label_svg import bag_label_svg
from ixempra_gui.journal.export import ExportRefused, export_target
from ixempra_gui.journal.preparing import preparation_of
from ixempra_gui.system.private_files import write_atomically
from ixempra_gui.system.site_settings import config_dir, parse_flag, read_group, settings_file

if TYPE_CHECKING:
    from ixempra_gui.journal.bag_label import BagLabel

EXIT_OK, EXIT_JOURNAL, EXIT_NOT_COMPLETE = 0, 1, 3


def second_identifier() -> bool:
    """The site preference, read from settings.ini without Qt (a bad value: off, said)."""
    stored = read_group(settings_file(), "preferences").get("second_patient_identifier")
    if stored is None:
        return False
    value = parse_flag(stored) if isinstance(stored, str) else None
    if value is None:
        print(
            f"ixempra-journal: note: settings.ini: second_patient_identifier: {stored!r}: true "
            "or false (default kept)",
            file=sys.stderr,
        )
    return bool(value)


def _target(args: argparse.Namespace) -> Path | None:
    """Where --svg writes (None: standard output or no SVG); ExportRefused as for export."""
    if args.svg is None or args.svg == "-":
        return None
    if not args.svg or (bad := path_problem(args.svg)):
        raise ExportRefused(
            (bad or "give a file name, or - for standard output").replace("--csv", "--svg")
        )
    return export_target(Path(args.svg), [paths.data_dir(), config_dir()], force=args.force)


def cmd_label(args: argparse.Namespace) -> int:
    record_id = record_id_of(args.id)
    target = _target(args)
    journal = open_journal()
    if journal is None:
        return EXIT_JOURNAL
    with journal:
        report = checked(journal, None)
        if not report.ok:
            integrity_error(journal, report)
            return EXIT_JOURNAL
        dose = journal.get(record_id)
        if dose is None:
            err(f"no record {record_id} (the journal holds {journal.count()} records)")
            return EXIT_JOURNAL
        preparation = preparation_of(journal, dose) if dose.is_dose else None
    for record in (dose, preparation.record if preparation else None):
        if record is not None and (not record.readable or not record.intact):
            err(
                f"record {record.id} does not match its hash (edited?): no label. Run "
                "ixempra-journal verify"
            )
            return EXIT_JOURNAL
    try:
        label = bag_label_document(
            dose, preparation, now=datetime.now(UTC), second_identifier=second_identifier()
        )
    except LabelRefused as exc:
        err(f"refused: no label for record {record_id}: {exc}")
        return EXIT_NOT_COMPLETE
    return _write(label, args.svg is not None, target)


def _write(label: BagLabel, as_svg: bool, target: Path | None) -> int:
    if not as_svg:
        print(label.text())
        print(f"[Code 128: {label.barcode.text}]")
        return EXIT_OK
    data = bag_label_svg(label).encode("utf-8")
    if target is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return EXIT_OK
    try:
        write_atomically(target, data)
    except OSError as exc:
        print(
            f"ixempra-journal: error: cannot write {target}: {exc.strerror or exc}; nothing "
            "was written",
            file=sys.stderr,
        )
        return EXIT_JOURNAL
    print(f"label of dose record {label.barcode.text} written to {target}")
    return EXIT_OK
