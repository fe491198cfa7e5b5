"""Which journal this workstation uses: the site's PostgreSQL journal, or its own SQLite file.

A site selects its shared journal with ``journal_url`` in a site-wide ``site.ini``
(``/etc/ixempra-gui/site.ini``; Windows ``%ProgramData%\\ixempra-gui\\site.ini``;
``$IXEMPRA_SITE_INI`` names another file, for tests and unusual installs), or with the
environment variable ``IXEMPRA_JOURNAL_URL`` where there is no site.ini. When site.ini exists it
decides, even without ``journal_url`` (then: the SQLite file): a user's environment must not
point a site's workstation at a private journal. Nothing configured: SQLite, as before.

The value is a libpq connection URI (``postgresql://db.clinic.local/ixempra?sslmode=verify-full``)
or key=value string. A password in it is refused: passwords never live in the app's files or
environment (libpq's .pgpass, client certificates, Kerberos, or the sign-in kept in memory).
Every URL shown anywhere goes through ``redact``. Qt-free; psycopg is imported only when a URL
is configured (it parses the URL exactly as libpq will).
"""

from __future__ import annotations

import configparser
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ixempra_gui.journal.errors import JournalError

ENV_JOURNAL_URL = "IXEMPRA_JOURNAL_URL"
ENV_SITE_INI = "IXEMPRA_SITE_INI"
SITE_KEY = "journal_url"
SITE_SECTIONS = ("General",)  # QSettings' name for keys at the top of an INI file
SECRET_KEYS = ("password", "sslpassword")  # libpq parameters that hold a secret
# What a redacted URL keeps: where the journal is and how it is reached, never a secret.
_SHOWN_PARAMS = ("sslmode", "target_session_attrs", "gssencmode")


class SiteConfigError(JournalError):
    """The site's journal setting is unusable (unreadable site.ini, a password in the URL, a
    URL libpq cannot parse): the journal is not opened, nothing falls back to SQLite."""


@dataclass(frozen=True)
class JournalChoice:
    """The journal in use and where that choice came from (for the CLIs and the window)."""

    url: str | None  # a libpq URI or key=value string; None: this workstation's SQLite file
    source: str  # "site.ini (PATH)", "IXEMPRA_JOURNAL_URL", or "default"
    display: str  # the redacted URL, or "" for SQLite
    notes: tuple[str, ...] = ()  # e.g. an environment variable that site.ini overrides

    @property
    def is_server(self) -> bool:
        return self.url is not None


def site_ini_path(environ: Mapping[str, str] | None = None, system: str = os.name) -> Path:
    """``$IXEMPRA_SITE_INI``, else ``%ProgramData%\\ixempra-gui\\site.ini`` (Windows), else
    ``/etc/ixempra-gui/site.ini``."""
    env = os.environ if environ is None else environ
    configured = env.get(ENV_SITE_INI, "").strip()
    if configured:
        return Path(configured).expanduser()
    if system == "nt":
        program_data = env.get("ProgramData") or env.get("PROGRAMDATA") or r"C:\ProgramData"
        return Path(program_data) / "ixempra-gui" / "site.ini"
    return Path("/etc/ixempra-gui/site.ini")


def _is_setting(line: str) -> bool:
    """Not blank, not a comment."""
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith(("#", ";"))


def _read_site_ini(path: Path) -> tuple[str | None, tuple[str, ...]]:
    """(journal_url or None, notes). SiteConfigError when the file cannot be used."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SiteConfigError(f"{path} is not UTF-8 text ({exc.reason}); fix it") from exc
    except OSError as exc:
        raise SiteConfigError(
            f"cannot read the site settings {path}: {exc.strerror or exc}. The journal is not "
            "opened until it can be read (ask your IT department)"
        ) from exc
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    try:
        first = next((ln.strip() for ln in text.splitlines() if _is_setting(ln)), "[")
        if not first.startswith("["):  # keys before any section: QSettings' [General]
            text = "[General]\n" + text
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        first_line = str(exc).splitlines()[0]
        raise SiteConfigError(f"the site settings {path} cannot be read: {first_line}") from exc
    found = [s for s in parser.sections() if parser.has_option(s, SITE_KEY)]
    misplaced = [s for s in found if s not in SITE_SECTIONS]
    if misplaced:
        raise SiteConfigError(
            f"{path}: {SITE_KEY} belongs at the top of the file or under [General], not under "
            f"[{misplaced[0]}]"
        )
    notes: tuple[str, ...] = ()
    if os.name == "posix":
        try:
            mode = path.stat().st_mode
        except OSError:
            mode = 0
        if mode & 0o022:
            notes = (f"{path} can be changed by other users than its owner: make it 0644",)
    value = parser.get(found[0], SITE_KEY).strip() if found else ""
    return (value or None), notes


def _parse(url: str, where: str) -> dict[str, str]:
    try:
        # psycopg (ixempra-gui[postgresql]): loaded only for a site journal
        from psycopg.conninfo import conninfo_to_dict
    except ImportError as exc:
        raise SiteConfigError(
            f"{where} names a PostgreSQL journal, but the PostgreSQL driver is not installed: "
            "install ixempra-gui[postgresql] (the installers include it)"
        ) from exc
    try:
        parsed = conninfo_to_dict(url)
    except Exception as exc:  # psycopg.ProgrammingError: libpq's parser refused it
        # libpq quotes the part it could not read, which may hold a secret: not shown.
        why = re.sub(r'"[^"]*"', '"…"', str(exc).strip().splitlines()[0] if str(exc) else "")
        raise SiteConfigError(
            f"{where} is not a PostgreSQL connection URI (postgresql://user@host:port/database)"
            f" that libpq accepts: {why}"
        ) from None
    return {str(k): str(v) for k, v in parsed.items() if v is not None}


def check_url(url: str, where: str) -> str:
    """The URL, stripped, once libpq can parse it and it holds no password; else
    SiteConfigError naming ``where`` (never echoing the URL, which might hold the secret)."""
    url = url.strip()
    if not url:
        raise SiteConfigError(f"{where} is empty")
    parsed = _parse(url, where)
    secrets = [key for key in SECRET_KEYS if parsed.get(key)]
    if secrets:
        raise SiteConfigError(
            f"{where} holds a {secrets[0]}: refused. Passwords never live in the app's "
            "settings or environment; each pharmacist signs in (or uses libpq's .pgpass, a "
            "client certificate or Kerberos). Remove it from the URL"
        )
    return url


def redact(url: str, *, user: str | None = None) -> str:
    """``postgresql://user@host:port/database?sslmode=…``: where a journal is, for display.
    Passwords and every other parameter are left out; ``user`` (the signed-in one) wins over
    the URL's."""
    try:
        parsed = _parse(url, "the journal URL")
    except SiteConfigError:
        return "postgresql://(a URL libpq cannot parse)"
    who = user if user is not None else parsed.get("user", "")
    host = parsed.get("host") or parsed.get("hostaddr") or "[local]"
    port = parsed.get("port", "")
    hosts = host.split(",")
    ports = port.split(",") if port else [""] * len(hosts)
    if len(ports) == 1 and len(hosts) > 1:
        ports = ports * len(hosts)
    where = ",".join(
        (f"[{h}]" if h.startswith("/") else h) + (f":{p}" if p else "")
        for h, p in zip(hosts, ports, strict=False)
    )
    query = "&".join(f"{k}={parsed[k]}" for k in _SHOWN_PARAMS if parsed.get(k))
    return f"postgresql://{who + '@' if who else ''}{where}/{parsed.get('dbname', '')}" + (
        f"?{query}" if query else ""
    )


def journal_choice(environ: Mapping[str, str] | None = None) -> JournalChoice:
    """The journal this workstation is configured for. SiteConfigError when the setting exists
    but cannot be used (fail closed: never a silent fall-back to a private journal)."""
    env = os.environ if environ is None else environ
    ini = site_ini_path(env)
    env_url = env.get(ENV_JOURNAL_URL, "").strip()
    if ini.exists():
        url, notes = _read_site_ini(ini)
        source = f"site.ini ({ini})"
        if env_url:
            notes += (f"{ENV_JOURNAL_URL} is ignored: the site settings {ini} decide",)
        if url is None:
            return JournalChoice(None, source, "", notes)
        url = check_url(url, f"{SITE_KEY} in {ini}")
        return JournalChoice(url, source, redact(url), notes)
    if env_url:
        url = check_url(env_url, ENV_JOURNAL_URL)
        return JournalChoice(url, ENV_JOURNAL_URL, redact(url))
    return JournalChoice(None, "default", "")
