"""The throwaway cluster the site-journal tests run on: missing server binaries fail the tests
with a message saying what to install, never a silent skip."""

from __future__ import annotations

from pathlib import Path

import pytest
from pg_cluster import ENV_BINDIR, ClusterUnavailable, find_bindir
from pg_support import start_cluster


def test_missing_server_binaries_say_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_BINDIR, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_config, no initdb
    with pytest.raises(ClusterUnavailable) as caught:
        find_bindir(debian=tmp_path / "no-postgresql")
    message = str(caught.value)
    assert "install Debian's postgresql" in message and "not skipped" in message


def test_a_cluster_that_cannot_start_fails_the_test_not_skips_it(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL test cluster: no initdb"):
        start_cluster(bindir=tmp_path)


def test_the_session_cluster_serves_a_site(pg_site) -> None:
    assert pg_site.sql("SELECT max(version) FROM ixempra.schema_version") == [
        (3,)
    ]  # 2: record kinds (issue 16); 3: one parse of the content per generated column
    assert pg_site.sql("SHOW listen_addresses") == [("",)]  # a Unix socket only
