"""``ixempra-journal`` and ``ixempra-calc`` with a site journal configured, end to end (the real
entry points in fresh processes, a real server): identities from the server, failing closed,
migration, and the site commands."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import cli_args, run_module
from journal_support import DAY0, fill, new_record, printed_id, raw, record_args
from pg_support import OUTSIDER, PASSWORDS, PREPARER, VERIFIER, Site

from ixempra_gui.journal.store import Journal

pytestmark = pytest.mark.slow


def journal_cli(site: Site | None, data: Path, args: list[str], **env: str | None):
    changes: dict[str, str | None] = {"IXEMPRA_DATA_DIR": str(data)}
    if site is not None:
        changes.update(site.env())
    changes.update(env)
    return run_module("ixempra_gui.cli.journal", args, changes)


def calc_cli(site: Site | None, data: Path, args: list[str], **env: str | None):
    changes: dict[str, str | None] = {"IXEMPRA_DATA_DIR": str(data)}
    if site is not None:
        changes.update(site.env())
    changes.update(env)
    return run_module("ixempra_gui.cli.calc", args, changes)


def site_record_args(site: Site, patient: str, *extra: str, verifier: str = VERIFIER) -> list[str]:
    """``record`` for the site journal: no typed names, the verifier's own URL."""
    args = record_args(patient)
    for option in ("--prepared-by", "--verified-by"):
        at = args.index(option)
        del args[at : at + 2]
    return [*args, "--verifier-url", site.url(verifier), *extra]


def records(site: Site) -> int:
    return int(site.sql("SELECT count(*) FROM ixempra.records")[0][0])


def test_record_with_the_verifiers_own_sign_in(pg_site: Site, tmp_path: Path) -> None:
    done = journal_cli(pg_site, tmp_path, site_record_args(pg_site, "MRN-1"))
    assert done.returncode == 0, done.stderr
    assert printed_id(done.stdout) == 1
    assert f"site journal postgresql://{PREPARER}@" in done.stderr  # which journal, redacted
    assert f"verifier signed in as {VERIFIER}" in done.stderr
    assert "prepared by rph_a, verified by rph_b (both signed in)" in done.stdout
    content = json.loads(pg_site.sql("SELECT content FROM ixempra.records")[0][0])
    assert content["authenticated"] is True
    assert (content["prepared_by"], content["verified_by"]) == (PREPARER, VERIFIER)
    assert not (tmp_path / "journal.sqlite3").exists()  # nothing local


def test_typed_names_that_agree_are_accepted(pg_site: Site, tmp_path: Path) -> None:
    args = site_record_args(pg_site, "P", "--prepared-by", "RPH_A", "--verified-by", VERIFIER)
    done = journal_cli(pg_site, tmp_path, args)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (("--prepared-by", "Somebody Else"), "prepared_by"),
        (("--verified-by", "Somebody Else"), "verified_by"),
    ],
)
def test_typed_names_that_disagree_are_refused(
    pg_site: Site, tmp_path: Path, extra: tuple[str, str], field: str
) -> None:
    done = journal_cli(pg_site, tmp_path, site_record_args(pg_site, "P", *extra))
    assert done.returncode == 2, done.stderr
    assert f"{field} (--{field.replace('_', '-')})" in done.stderr and "signed-in" in done.stderr
    assert records(pg_site) == 0 and done.stdout == ""


def test_the_preparer_cannot_sign_as_verifier(pg_site: Site, tmp_path: Path) -> None:
    done = journal_cli(pg_site, tmp_path, site_record_args(pg_site, "P", verifier=PREPARER))
    assert done.returncode == 2 and "another pharmacist" in done.stderr
    assert records(pg_site) == 0


def test_a_wrong_verifier_password_records_nothing(pg_site: Site, tmp_path: Path) -> None:
    args = site_record_args(pg_site, "P", "--verifier-password-stdin")
    done = run_module(
        "ixempra_gui.cli.journal",
        args,
        {"IXEMPRA_DATA_DIR": str(tmp_path), **pg_site.env()},
        stdin="wrong-password\n",
    )
    assert done.returncode == 1, done.stderr
    assert "verifier" in done.stderr and "password authentication failed" in done.stderr
    assert "NOT recorded" in done.stderr and "wrong-password" not in done.stderr
    assert records(pg_site) == 0 and done.stdout == ""
    right = run_module(
        "ixempra_gui.cli.journal",
        args,
        {"IXEMPRA_DATA_DIR": str(tmp_path), **pg_site.env()},
        stdin=PASSWORDS[VERIFIER] + "\n",
    )
    assert right.returncode == 0, right.stderr


def test_a_verifier_outside_the_pharmacist_group_records_nothing(
    pg_site: Site, tmp_path: Path
) -> None:
    done = journal_cli(pg_site, tmp_path, site_record_args(pg_site, "P", verifier=OUTSIDER))
    assert done.returncode == 1 and "ixempra_pharmacist group" in done.stderr
    assert records(pg_site) == 0


def test_the_history_limit_holds_on_the_server(pg_site: Site, tmp_path: Path) -> None:
    assert journal_cli(pg_site, tmp_path, site_record_args(pg_site, "L")).returncode == 0
    again = journal_cli(pg_site, tmp_path, site_record_args(pg_site, "L"))
    assert again.returncode == 4 and "over the limit" in again.stderr
    acknowledged = journal_cli(
        pg_site, tmp_path, site_record_args(pg_site, "L", "--acknowledge-history")
    )
    assert acknowledged.returncode == 0
    assert "over_21_day_limit" in acknowledged.stderr
    assert records(pg_site) == 2


def test_list_show_verify_export_and_path(pg_site: Site, tmp_path: Path) -> None:
    for patient in ("A", "B"):
        assert journal_cli(pg_site, tmp_path, site_record_args(pg_site, patient)).returncode == 0
    listed = journal_cli(pg_site, tmp_path, ["list"])
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 2
    assert "(signed in)" in listed.stdout
    as_json = json.loads(journal_cli(pg_site, tmp_path, ["list", "--json"]).stdout)
    assert [r["patient_id"] for r in as_json] == ["A", "B"]
    assert all(r["authenticated"] for r in as_json)
    shown = json.loads(journal_cli(pg_site, tmp_path, ["show", "2"]).stdout)
    assert shown["content"]["patient_id"] == "B"
    missing = journal_cli(pg_site, tmp_path, ["show", "99999999999999999999"])
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert journal_cli(pg_site, tmp_path, ["show", "9"]).returncode == 1
    verified = journal_cli(pg_site, tmp_path, ["verify"])
    assert verified.returncode == 0 and "2 records, the chain holds" in verified.stdout
    assert "checked against the anchor (record 2)" in verified.stdout
    head = verified.stdout.split("SHA-256 ")[1].split()[0]
    assert journal_cli(pg_site, tmp_path, ["verify", "--expect-head", head]).returncode == 0
    wrong = journal_cli(pg_site, tmp_path, ["verify", "--expect-head", "e" * 64])
    assert wrong.returncode == 1 and "BROKEN" in wrong.stdout
    assert "does not contain the expected head" in wrong.stdout
    short = journal_cli(pg_site, tmp_path, ["verify", "--expect-head", "e" * 12])
    assert short.returncode == 2 and "64 hexadecimal digits" in short.stderr
    out = tmp_path.parent / f"{tmp_path.name}-out.csv"  # outside the data folder
    exported = journal_cli(pg_site, tmp_path, ["export", "--csv", str(out)])
    assert exported.returncode == 0 and out.read_text().count("\n") == 3
    assert f"head: record 2, SHA-256 {head}" in exported.stdout
    path = journal_cli(pg_site, tmp_path, ["path"])
    assert path.returncode == 0
    assert path.stdout.startswith(f"site journal postgresql://{PREPARER}@[")
    assert "journal-anchor-site-" in path.stderr


def test_a_superuser_removing_the_last_records_is_caught_by_the_anchor_and_expected_head(
    pg_site: Site, tmp_path: Path
) -> None:
    """The documented bypass: a superuser with triggers off deletes the newest record and
    moves the head back. The chain itself still holds; this workstation's anchor for the
    server, and a head kept elsewhere, do not."""
    for patient in ("A", "B", "C"):
        assert journal_cli(pg_site, tmp_path, site_record_args(pg_site, patient)).returncode == 0
    kept_head = pg_site.sql("SELECT last_hash FROM ixempra.chain_head")[0][0]
    pg_site.sql(
        "SET session_replication_role = replica; DELETE FROM ixempra.records WHERE id = 3; "
        "UPDATE ixempra.chain_head SET (last_id, last_hash) = "
        "(SELECT id, hash FROM ixempra.records WHERE id = 2)"
    )
    here = journal_cli(pg_site, tmp_path, ["verify"])
    assert here.returncode == 1 and "first bad record: 3" in here.stdout
    assert "this workstation saw" in here.stdout
    elsewhere = {"IXEMPRA_CONFIG_DIR": str(tmp_path / "another-workstation")}
    assert journal_cli(pg_site, tmp_path, ["verify"], **elsewhere).returncode == 0
    caught = journal_cli(pg_site, tmp_path, ["verify", "--expect-head", kept_head], **elsewhere)
    assert caught.returncode == 1 and "does not contain the expected head" in caught.stdout
    refused = journal_cli(pg_site, tmp_path, site_record_args(pg_site, "D"))
    assert refused.returncode == 1 and "NOT recorded" in refused.stderr
    assert "altered" in refused.stderr and "IT" in refused.stderr
    assert records(pg_site) == 2


def test_a_superuser_edit_with_triggers_off_is_caught_by_verify(
    pg_site: Site, tmp_path: Path
) -> None:
    for patient in ("A", "B"):
        assert journal_cli(pg_site, tmp_path, site_record_args(pg_site, patient)).returncode == 0
    pg_site.sql(
        "SET session_replication_role = replica; UPDATE ixempra.verifications "
        "SET verifier = 'rph_c' WHERE id = 2"
    )
    broken = journal_cli(pg_site, tmp_path, ["verify"])
    assert broken.returncode == 1 and "first bad record: 2" in broken.stdout


# --- failing closed ------------------------------------------------------------------------------
def unreachable(site: Site) -> dict[str, str]:
    return {"IXEMPRA_JOURNAL_URL": site.url().replace(str(site.cluster.port), "1")}


def test_an_unreachable_server_records_nothing_and_queues_nothing(
    pg_site: Site, tmp_path: Path
) -> None:
    done = journal_cli(pg_site, tmp_path, site_record_args(pg_site, "P"), **unreachable(pg_site))
    assert done.returncode == 1 and done.stdout == ""
    assert "NOT recorded" in done.stderr and "cannot be reached" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # no local journal, no queue
    listed = journal_cli(pg_site, tmp_path, ["list"], **unreachable(pg_site))
    assert listed.returncode == 1 and "cannot be reached" in listed.stderr


def test_a_read_only_server_records_nothing(pg_site: Site, tmp_path: Path) -> None:
    pg_site.sql(f"ALTER DATABASE {pg_site.dbname} SET default_transaction_read_only = on")
    done = journal_cli(pg_site, tmp_path, site_record_args(pg_site, "P"))
    assert done.returncode == 1 and "read-only" in done.stderr
    assert records(pg_site) == 0


def test_a_preparer_outside_the_group_is_told_so(pg_site: Site, tmp_path: Path) -> None:
    done = journal_cli(pg_site, tmp_path, ["list"], IXEMPRA_JOURNAL_URL=pg_site.url(OUTSIDER))
    assert done.returncode == 1 and "not in the ixempra_pharmacist group" in done.stderr


def test_a_url_with_a_password_is_refused_unseen(pg_site: Site, tmp_path: Path) -> None:
    url = pg_site.url().replace(f"{PREPARER}@", f"{PREPARER}:hunter2@")
    done = journal_cli(pg_site, tmp_path, ["list"], IXEMPRA_JOURNAL_URL=url)
    assert done.returncode == 1 and "password" in done.stderr and "hunter2" not in done.stderr


def test_calc_history_not_checked_when_the_server_is_unreachable(
    pg_site: Site, tmp_path: Path
) -> None:
    args = [*cli_args(flags=("--json",)), "--patient-id", "P", "--administered-on", "2025-03-01"]
    done = calc_cli(pg_site, tmp_path, args, **unreachable(pg_site))
    assert done.returncode == 0, done.stderr  # the dose itself does not depend on the journal
    out = json.loads(done.stdout)
    h = out["history"]
    assert out["dose_mg"] == 72.8
    assert h["prior_units_21d"] is None and h["units_total_21d"] is None
    assert h["within_limit"] is None and h["units_this_dose"] == 75
    [warning] = h["warnings"]
    assert warning["code"] == "journal_unavailable"
    assert warning["message"].startswith("history NOT checked (journal unreachable)")
    text = calc_cli(
        pg_site,
        tmp_path,
        [*cli_args(), "--patient-id", "P", "--administered-on", "2025-03-01"],
        **unreachable(pg_site),
    )
    assert "history NOT checked (journal unreachable)" in text.stdout
    assert "0 units" not in text.stdout.split("History", 1)[1]


def test_calc_history_reads_the_site_journal(pg_site: Site, tmp_path: Path) -> None:
    assert journal_cli(pg_site, tmp_path, site_record_args(pg_site, "P")).returncode == 0
    when = (DAY0 + timedelta(days=20)).isoformat()
    args = [*cli_args(flags=("--json",)), "--patient-id", "p", "--administered-on", when]
    h = json.loads(calc_cli(pg_site, tmp_path, args).stdout)["history"]
    assert h["prior_units_21d"] == 75 and h["within_limit"] is False
    text = calc_cli(
        pg_site, tmp_path, [*cli_args(), "--patient-id", "p", "--administered-on", when]
    )
    assert "from the site journal postgresql://" in text.stdout


# --- migration -----------------------------------------------------------------------------------
def test_migrate_copies_each_record_once_and_history_counts_it(
    pg_site: Site, tmp_path: Path
) -> None:
    fill(tmp_path, 3)
    local = run_module("ixempra_gui.cli.journal", ["verify"], {"IXEMPRA_DATA_DIR": str(tmp_path)})
    assert local.returncode == 0
    first = journal_cli(None, tmp_path, ["migrate", "--to", pg_site.url()])
    assert first.returncode == 0, first.stderr
    assert "migrated 3 records" in first.stdout and "0 were already there" in first.stdout
    second = journal_cli(None, tmp_path, ["migrate", "--to", pg_site.url()])
    assert second.returncode == 0 and "migrated 0 records" in second.stdout
    assert "3 were already there" in second.stdout
    assert records(pg_site) == 3
    rows = pg_site.sql("SELECT content, source_record_id, source_hash FROM ixempra.records")
    originals = {r[0]: r[1] for r in raw(tmp_path).execute("SELECT id, hash FROM records")}
    for text, source_id, source_hash in rows:
        content = json.loads(text)
        assert content["authenticated"] is False and content["migrated_by"] == PREPARER
        embedded = content["migrated_from"]
        assert embedded["hash"] == source_hash == originals[source_id]
        assert (
            raw(tmp_path)
            .execute("SELECT content FROM records WHERE id = ?", (source_id,))
            .fetchone()[0]
            == embedded["content"]
        )  # verbatim
    assert journal_cli(pg_site, tmp_path, ["verify"]).returncode == 0
    when = (DAY0 + timedelta(days=1)).isoformat()
    args = [*cli_args(flags=("--json",)), "--patient-id", "P-1", "--administered-on", when]
    h = json.loads(calc_cli(pg_site, tmp_path, args).stdout)["history"]
    assert h["prior_units_21d"] == 75  # a migrated dose counts
    assert not any(w["code"] == "local_journal_not_migrated" for w in h["warnings"])


def test_migrate_refuses_a_local_journal_that_fails_verify(pg_site: Site, tmp_path: Path) -> None:
    fill(tmp_path, 3)
    conn = raw(tmp_path)
    conn.execute("UPDATE records SET content = replace(content, '72.8', '27.8') WHERE id = 2")
    conn.close()
    done = journal_cli(None, tmp_path, ["migrate", "--to", pg_site.url()])
    assert done.returncode == 1 and "fails verify" in done.stderr
    assert records(pg_site) == 0


def test_an_unmigrated_local_journal_is_named_and_must_be_acknowledged(
    pg_site: Site, tmp_path: Path
) -> None:
    fill(tmp_path, 2)
    listed = journal_cli(pg_site, tmp_path, ["list"])
    assert listed.returncode == 0 and "not in the site journal" in listed.stderr
    done = journal_cli(pg_site, tmp_path, site_record_args(pg_site, "NEW"))
    assert done.returncode == 4 and "NOT counted" in done.stderr
    assert records(pg_site) == 0


# --- the site commands ---------------------------------------------------------------------------
def test_site_init_and_add_pharmacist_from_the_command_line(pg_cluster, tmp_path: Path) -> None:
    pg_cluster.psql("CREATE DATABASE fresh_cli")
    admin = pg_cluster.url("postgres", "fresh_cli")
    first = journal_cli(None, tmp_path, ["site-init", "--admin-url", admin])
    assert first.returncode == 0, first.stderr
    assert "applied migration 1" in first.stdout and "applied migration 2" in first.stdout
    assert "applied migration 3" in first.stdout and "schema version 3" in first.stdout
    again = journal_cli(None, tmp_path, ["site-init", "--admin-url", admin])
    assert again.returncode == 0 and "nothing changed" in again.stdout
    added = run_module(
        "ixempra_gui.cli.journal",
        ["add-pharmacist", "--admin-url", admin, "rph_cli", "--password-stdin"],
        {"IXEMPRA_DATA_DIR": str(tmp_path)},
        stdin="a-long-password\n",
    )
    assert added.returncode == 0 and "created login role rph_cli" in added.stdout
    no_password = journal_cli(None, tmp_path, ["add-pharmacist", "--admin-url", admin, "rph_x"])
    assert no_password.returncode == 2 and "--password-stdin" in no_password.stderr
    with_secret = journal_cli(
        None, tmp_path, ["site-init", "--admin-url", admin.replace("postgres@", "postgres:pw@")]
    )
    assert with_secret.returncode == 1 and "password" in with_secret.stderr


def test_help_names_the_site_commands(tmp_path: Path) -> None:
    done = journal_cli(None, tmp_path, ["--help"])
    assert done.returncode == 0
    for command in ("record", "site-init", "add-pharmacist", "migrate"):
        assert command in done.stdout


@pytest.mark.skipif(sys.platform != "linux", reason="a pseudo-terminal (openpty, termios)")
def test_the_verifier_types_their_password_at_a_terminal_prompt(
    pg_site: Site, tmp_path: Path
) -> None:
    """On a terminal the verifier is asked, even when libpq could find a password itself."""
    import os
    import subprocess
    import termios
    import time

    from conftest import REPO

    master, slave = os.openpty()
    env = dict(os.environ, PYTHONPATH=str(REPO), IXEMPRA_DATA_DIR=str(tmp_path), **pg_site.env())
    with subprocess.Popen(
        [sys.executable, "-m", "ixempra_gui.cli.journal", *site_record_args(pg_site, "TTY")],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
        start_new_session=True,  # no controlling terminal: getpass reads the pty on stdin
    ) as proc:
        os.close(slave)
        # getpass discards what was typed before it turned the echo off: wait for that.
        deadline = time.monotonic() + 60
        while termios.tcgetattr(master)[3] & termios.ECHO and time.monotonic() < deadline:
            time.sleep(0.02)
        os.write(master, b"not-their-password\n")
        out, err = proc.communicate(timeout=120)
    os.close(master)
    assert proc.returncode == 1, err
    assert "Password for the verifier" in err + out and "password authentication failed" in err
    assert records(pg_site) == 0


# --- issue 13 on the site journal: altered, exports, init --new, closed pipes --------------------
def _altered_site(site: Site, tmp_path: Path) -> None:
    """P's doses 10 days before DAY0 and on DAY0 - 1 (acknowledged), then a superuser with the
    triggers off lowers record 1's units in place (its hash no longer matches)."""
    early = record_args("P", (DAY0 - timedelta(days=10)).isoformat())
    late = record_args("P", (DAY0 - timedelta(days=1)).isoformat())
    for args in (early, late):
        for option in ("--prepared-by", "--verified-by"):
            at = args.index(option)
            del args[at : at + 2]
        done = journal_cli(
            site,
            tmp_path,
            [*args, "--verifier-url", site.url(VERIFIER), "--acknowledge-history"],
        )
        assert done.returncode == 0, done.stderr
    site.sql(
        "SET session_replication_role = replica; UPDATE ixempra.records SET content = "
        "replace(content, '\"units_total\":75', '\"units_total\":5') WHERE id = 1"
    )


def test_an_altered_site_journal_gives_no_figure_and_records_nothing(
    pg_site: Site, tmp_path: Path
) -> None:
    _altered_site(pg_site, tmp_path)
    args = [*cli_args(flags=("--json",)), "--patient-id", "P", "--administered-on", "2025-03-01"]
    done = calc_cli(pg_site, tmp_path, args)
    assert done.returncode == 0, done.stderr  # the dose itself does not depend on the journal
    h = json.loads(done.stdout)["history"]
    assert h["prior_units_21d"] is None and h["units_total_21d"] is None
    assert h["within_limit"] is None and h["units_this_dose"] == 75
    [warning] = h["warnings"]
    assert warning["code"] == "journal_altered" and "record 1" in warning["message"]
    assert "IT" in warning["message"] and "init --new" not in warning["message"]
    refused = journal_cli(
        pg_site, tmp_path, site_record_args(pg_site, "P", "--acknowledge-history")
    )
    assert refused.returncode == 1 and "NOT recorded" in refused.stderr
    assert records(pg_site) == 2
    listed = journal_cli(pg_site, tmp_path, ["list", "--patient-id", "p"])
    assert listed.returncode == 1 and len(listed.stdout.splitlines()) == 2
    assert "NOT vouched for" in listed.stderr
    verified = journal_cli(pg_site, tmp_path, ["verify"])
    assert verified.returncode == 1 and "first bad record: 1" in verified.stdout
    init = journal_cli(pg_site, tmp_path, ["init", "--new", "--reason", "record 1 edited"])
    assert init.returncode == 1 and "never started anew from a workstation" in init.stderr
    assert records(pg_site) == 2


def test_init_new_on_a_site_journal_that_holds_is_refused(pg_site: Site, tmp_path: Path) -> None:
    assert journal_cli(pg_site, tmp_path, site_record_args(pg_site, "A")).returncode == 0
    done = journal_cli(pg_site, tmp_path, ["init", "--new", "--reason", "just because"])
    assert done.returncode == 2 and "nothing to resolve" in done.stderr
    assert records(pg_site) == 1


def test_exports_of_the_site_journal_are_safe(pg_site: Site, tmp_path: Path) -> None:
    """The export rules of a workstation's journal hold for the site journal: never inside the
    data or settings folder, never over a file without --force, formulas neutralised, and the
    names marked as signed in (or typed, for migrated records)."""
    fill(tmp_path, 1)  # one workstation record with typed names, migrated below
    assert journal_cli(None, tmp_path, ["migrate", "--to", pg_site.url()]).returncode == 0
    assert journal_cli(pg_site, tmp_path, site_record_args(pg_site, "-3")).returncode == 0
    inside = journal_cli(pg_site, tmp_path, ["export", "--csv", str(tmp_path / "x.csv")])
    assert inside.returncode == 2 and "inside" in inside.stderr
    assert not (tmp_path / "x.csv").exists()
    target = tmp_path.parent / f"{tmp_path.name}-site.csv"
    target.write_text("old\n")
    exists = journal_cli(pg_site, tmp_path, ["export", "--csv", str(target)])
    assert exists.returncode == 2 and "--force" in exists.stderr and target.read_text() == "old\n"
    forced = journal_cli(pg_site, tmp_path, ["export", "--csv", str(target), "--force"])
    assert forced.returncode == 0, forced.stderr
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [r["patient_id"] for r in rows] == ["P-0", "'-3"]
    assert [r["authenticated"] for r in rows] == ["no (typed names)", "yes"]
    assert [r["prepared_by"] for r in rows] == ["A. Pharmacist", PREPARER]
    to_stdout = journal_cli(pg_site, tmp_path, ["export", "--csv", "-"])
    assert to_stdout.returncode == 0 and to_stdout.stdout == target.read_text(encoding="utf-8")
    assert "head: record 2, SHA-256 " in to_stdout.stderr


@pytest.mark.parametrize("args", [["list"], ["export", "--csv", "-"], ["show", "1"]])
def test_a_closed_pipe_on_the_site_journal_exits_quietly_with_status_6(
    pg_site: Site, tmp_path: Path, args: list[str]
) -> None:
    import os
    import subprocess

    from conftest import REPO

    from ixempra_gui.cli.guard import EXIT_OUTPUT_CLOSED

    for patient in ("A", "B"):
        assert journal_cli(pg_site, tmp_path, site_record_args(pg_site, patient)).returncode == 0
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = {**os.environ, "PYTHONPATH": str(REPO), "IXEMPRA_DATA_DIR": str(tmp_path)}
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "ixempra_gui.cli.journal", *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env={**env, **pg_site.env()},
            cwd=REPO,
        )
    finally:
        os.close(write_end)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == EXIT_OUTPUT_CLOSED, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


def test_migrate_a_journal_started_anew_and_one_copied_from_elsewhere(
    pg_site: Site, tmp_path: Path
) -> None:
    """A schema-3 journal whose chain was started anew (its record 1 holds the reason) is
    migrated whole; a journal copied from another workstation is checked against the head
    kept for it (--expect-head), not this workstation's anchor."""
    fill(tmp_path, 2)
    conn = raw(tmp_path)
    conn.execute("UPDATE records SET content = replace(content, '72.8', '27.8') WHERE id = 2")
    conn.close()
    restarted = run_module(
        "ixempra_gui.cli.journal",
        ["init", "--new", "--reason", "record 2 edited; checked by A. Lead"],
        {"IXEMPRA_DATA_DIR": str(tmp_path)},
    )
    assert restarted.returncode == 0, restarted.stderr
    with Journal.open(tmp_path) as journal:  # within 21 days of the restart: acknowledged
        for i in range(2):
            journal.record(new_record(f"P-{i}"), acknowledge_history=True)
    done = journal_cli(None, tmp_path, ["migrate", "--to", pg_site.url()])
    assert done.returncode == 0, done.stderr
    assert "migrated 3 records" in done.stdout
    contents = [json.loads(t) for (t,) in pg_site.sql("SELECT content FROM ixempra.records")]
    assert contents[0]["status"] == "journal_started" and "patient_key" not in contents[0]
    assert [c.get("patient_key") for c in contents] == [None, "p-0", "p-1"]
    assert journal_cli(pg_site, tmp_path, ["verify"]).returncode == 0
    other = tmp_path / "other-workstation"
    fill(other, 2, anchor=None)  # made elsewhere: this workstation's anchor is not about it
    head = raw(other).execute("SELECT hash FROM records WHERE id = 2").fetchone()[0]
    args = ["migrate", "--to", pg_site.url(), "--from", str(other)]
    refused = journal_cli(None, tmp_path, args)
    assert refused.returncode == 1 and "fails verify" in refused.stderr
    assert records(pg_site) == 3
    copied = journal_cli(None, tmp_path, [*args, "--expect-head", head.upper()])
    assert copied.returncode == 0, copied.stderr
    assert "migrated 2 records" in copied.stdout and records(pg_site) == 5
    when = (DAY0 + timedelta(days=1)).isoformat()
    calc = [*cli_args(flags=("--json",)), "--patient-id", "P-1", "--administered-on", when]
    h = json.loads(calc_cli(pg_site, tmp_path, calc).stdout)["history"]
    assert h["prior_units_21d"] == 150  # P-1 of both migrated journals
