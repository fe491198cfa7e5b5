"""Which journal a workstation uses: site.ini wins, the environment where there is none, a
password in a URL is refused, displayed URLs are redacted, nothing configured is SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ixempra_gui.journal import site_config
from ixempra_gui.journal.site_config import (
    ENV_JOURNAL_URL,
    ENV_SITE_INI,
    SiteConfigError,
    journal_choice,
    redact,
    site_ini_path,
)

URL = "postgresql://rph_a@db.clinic.local:5432/ixempra?sslmode=verify-full"


def env(tmp_path: Path, ini: str | None = None, url: str | None = None) -> dict[str, str]:
    path = tmp_path / "site.ini"
    if ini is not None:
        path.write_text(ini, encoding="utf-8")
    values = {ENV_SITE_INI: str(path)}
    if url is not None:
        values[ENV_JOURNAL_URL] = url
    return values


def test_nothing_configured_is_the_sqlite_file(tmp_path: Path) -> None:
    choice = journal_choice(env(tmp_path))
    assert not choice.is_server and choice.url is None and choice.source == "default"


def test_the_environment_selects_a_server_where_there_is_no_site_ini(tmp_path: Path) -> None:
    choice = journal_choice(env(tmp_path, url=URL))
    assert choice.is_server and choice.url == URL and choice.source == ENV_JOURNAL_URL
    assert choice.display == "postgresql://rph_a@db.clinic.local:5432/ixempra?sslmode=verify-full"


@pytest.mark.parametrize(
    "ini",
    [
        f"journal_url = {URL}\n",
        f"[General]\njournal_url = {URL}\n",
        f"\ufeff# site settings\n[General]\njournal_url={URL}\n",
    ],
)
def test_site_ini_selects_the_server(tmp_path: Path, ini: str) -> None:
    choice = journal_choice(env(tmp_path, ini=ini))
    assert choice.url == URL and choice.source.startswith("site.ini (")


def test_site_ini_wins_over_the_environment(tmp_path: Path) -> None:
    other = "postgresql://me@my-laptop/private"
    choice = journal_choice(env(tmp_path, ini=f"journal_url = {URL}\n", url=other))
    assert choice.url == URL
    assert any(ENV_JOURNAL_URL in note and "ignored" in note for note in choice.notes)


def test_a_site_ini_without_a_url_means_sqlite_even_with_the_variable(tmp_path: Path) -> None:
    """A user's environment must not point a site's workstation at a private journal."""
    choice = journal_choice(env(tmp_path, ini="[General]\nother = 1\n", url=URL))
    assert not choice.is_server and choice.source.startswith("site.ini")
    assert any("ignored" in note for note in choice.notes)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://rph_a:s3cret@db/ixempra",
        "postgresql://rph_a@db/ixempra?password=s3cret",
        "host=db dbname=ixempra user=rph_a password=s3cret",
        "postgresql://rph_a@db/ixempra?sslpassword=s3cret",
    ],
)
def test_a_password_in_the_url_is_refused_without_showing_it(tmp_path: Path, url: str) -> None:
    for values in (env(tmp_path, url=url), env(tmp_path, ini=f"journal_url = {url}\n")):
        with pytest.raises(SiteConfigError) as caught:
            journal_choice(values)
        assert "password" in str(caught.value) and "s3cret" not in str(caught.value)


@pytest.mark.parametrize(
    ("ini", "words"),
    [
        ("[General]\njournal_url = a\njournal_url = b\n", "cannot be read"),
        (f"[journal]\njournal_url = {URL}\n", "[General]"),
        ("[General]\njournal_url = host=db s3cret\n", "libpq accepts"),
    ],
)
def test_an_unusable_site_ini_fails_closed(tmp_path: Path, ini: str, words: str) -> None:
    with pytest.raises(SiteConfigError) as caught:
        journal_choice(env(tmp_path, ini=ini, url=URL))
    assert words in str(caught.value) and "s3cret" not in str(caught.value)


def test_an_unreadable_site_ini_fails_closed(tmp_path: Path) -> None:
    """A folder where the file should be: unreadable whoever runs the test (root too)."""
    (tmp_path / "site.ini").mkdir()
    with pytest.raises(SiteConfigError, match="cannot read"):
        journal_choice({ENV_SITE_INI: str(tmp_path / "site.ini")})


def test_site_ini_locations() -> None:
    assert site_ini_path({ENV_SITE_INI: "/x/site.ini"}) == Path("/x/site.ini")
    assert site_ini_path({}, system="posix") == Path("/etc/ixempra-gui/site.ini")
    windows = site_ini_path({"ProgramData": "D:\\PD"}, system="nt")
    assert windows == Path("D:\\PD") / "ixempra-gui" / "site.ini"
    assert site_ini_path({}, system="nt") == Path("C:\\ProgramData") / "ixempra-gui" / "site.ini"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://a:pw@h/d?sslmode=verify-full", "postgresql://a@h/d?sslmode=verify-full"),
        ("host=h dbname=d user=u password=pw", "postgresql://u@h/d"),
        ("postgresql://h1:5432,h2:5433/d", "postgresql://h1:5432,h2:5433/d"),
        ("postgresql:///d?host=/run/pg&port=5", "postgresql://[/run/pg]:5/d"),
        ("postgresql:///d", "postgresql://[local]/d"),
        ("not a url password=pw", "postgresql://(a URL libpq cannot parse)"),
    ],
)
def test_redacted_urls(url: str, shown: str) -> None:
    assert redact(url) == shown


def test_the_signed_in_user_replaces_the_urls() -> None:
    assert redact("postgresql://db/ixempra", user="rph_b") == "postgresql://rph_b@db/ixempra"


@given(st.text(max_size=40), st.sampled_from(["uri", "query", "keyword"]))
def test_redaction_never_shows_a_password(tail: str, form: str) -> None:
    from urllib.parse import quote

    secret = "SECRET-" + tail
    url = {
        "uri": f"postgresql://rph_a:{quote(secret, safe='')}@db.example/ixempra",
        "query": f"postgresql://rph_a@db.example/ixempra?password={quote(secret, safe='')}",
        "keyword": "host=db.example user=rph_a password='"
        + secret.replace("\\", "\\\\").replace("'", "\\'")
        + "'",
    }[form]
    shown = redact(url)
    assert shown.startswith("postgresql://") and "SECRET" not in shown


@given(st.text(max_size=200))
def test_redaction_and_checks_are_total(text: str) -> None:
    """Any text: a display string, and either a usable URL or SiteConfigError."""
    assert redact(text).startswith("postgresql://")
    try:
        site_config.check_url(text, "journal_url")
    except SiteConfigError as exc:
        assert "journal_url" in str(exc)
