"""``ixempra-journal``'s site commands and its commands on a site journal: their argument
parsers (``cli.site`` runs them). Never imports Qt."""

from __future__ import annotations

import argparse
from pathlib import Path

from ixempra_gui.cli import calc as calc_cli
from ixempra_gui.cli.journal_common import PROG
from ixempra_gui.journal import paths


def add_admin_url(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--admin-url",
        required=True,
        metavar="URL",
        help="an administrator's libpq URI, e.g. postgresql://postgres@db.clinic.local/ixempra "
        "(no password in it: .pgpass, PGPASSWORD, a client certificate, or a prompt)",
    )


def build_site_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Set up and fill the site journal on PostgreSQL."
    )  # argparse exits 2 on a usage error, as EXIT_INVALID
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser(
        "site-init",
        help="create or upgrade the site journal (roles, tables, triggers); idempotent",
        description="Create the roles ixempra_owner and ixempra_pharmacist, the schema "
        "ixempra and its append-only tables in the database the URL names (create the "
        "database first: createdb ixempra), or apply the migrations it lacks.",
    )
    add_admin_url(p)
    p = sub.add_parser(
        "add-pharmacist",
        help="create a pharmacist's login role (or add a role to the pharmacist group)",
    )
    add_admin_url(p)
    p.add_argument("name", metavar="NAME", help="the role name the pharmacist signs in with")
    secret = p.add_mutually_exclusive_group()
    secret.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the new password from the first line of standard input",
    )
    secret.add_argument(
        "--no-password",
        action="store_true",
        help="set no password (the role signs in with a client certificate or Kerberos)",
    )
    p = sub.add_parser(
        "migrate",
        help="copy this user's SQLite journal into the site journal (run again: nothing new)",
        description="Each record of the local journal becomes a new site record that embeds "
        "the original content and hash verbatim; a local journal that fails verify is refused. "
        "The local file is left unchanged.",
    )
    p.add_argument("--to", required=True, metavar="URL", help="the site journal (your user)")
    p.add_argument(
        "--from",
        dest="source",
        type=Path,
        metavar="FOLDER",
        help=f"the local journal's folder (default ${paths.ENV_DATA_DIR} or the user data folder)",
    )
    p.add_argument(
        "--expect-head",
        metavar="HASH",
        help="check the local journal against this head (64 hex digits, as verify printed "
        "it) instead of this workstation's anchor: for a journal copied from elsewhere",
    )
    return parser


def build_server_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="The site journal (PostgreSQL).")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("path", help="print which journal is in use, and this workstation's anchor")
    p = sub.add_parser(
        "init",
        help="refused on a site journal: it is resolved on the server (docs)",
        description="A site journal cannot be started anew from a workstation: its records are "
        "append-only on the server. This says whether it holds, and what IT does if not.",
    )
    p.add_argument("--new", action="store_true", required=True, help="start a new journal")
    p.add_argument("--reason", required=True, metavar="TEXT", help="what was found")
    p = sub.add_parser(
        "record",
        parents=[calc_cli.build_parser()],
        conflict_handler="resolve",
        help="calculate a dose and record it as verified",
        description="Calculate the dose from the same options as ixempra-calc and record it "
        "as verified in the site journal: you are the preparer (your signed-in user); the "
        "verifier signs in with their own credentials (--verifier-url). Prints the new record "
        "id alone on the last line, only after the record is committed.",
    )
    p.add_argument(
        "--verifier-url",
        required=True,
        metavar="URL",
        help="the verifier's libpq URI (their user, same server and database; no password)",
    )
    p.add_argument(
        "--verifier-password-stdin",
        action="store_true",
        help="read the verifier's password from the first line of standard input (else a "
        "prompt on the terminal, else libpq's own sources)",
    )
    p.add_argument(
        "--prepared-by", metavar="NAME", help="optional: must be your signed-in user name"
    )
    p.add_argument(
        "--verified-by", metavar="NAME", help="optional: must be the verifier's user name"
    )
    p.add_argument(
        "--acknowledge-history",
        action="store_true",
        help="record even though the patient's history raised warnings (they are stored)",
    )
    return parser
