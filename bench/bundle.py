"""Installer sizes and installed start-up, each beside a bare PySide6 "hello" app packaged the
same way in the same run.

The hello app is built by the same scripts (``packaging/build-deb.sh --hello``,
``packaging/build-windows.sh --hello``): same Python, same trimmed Qt, the same PostgreSQL
driver for the site journal (psycopg with its libpq, OpenSSL and, on Linux, Kerberos: about
2.6 MB of the .deb, 2.5 MB of the setup), same compression, so the ratio shows what the app
itself costs over its runtime. Targets: setup.exe <= 25 MB; .deb <= 1.1x hello.
Start-up: the installed ``--self-test`` (a full check: data, golden cases, Qt, window, PDF),
median of several runs, against the installed hello app starting Qt and building its window.
Under Wine the times say nothing about real Windows; they are printed for trend only.

Prints figures; ``--check`` exits 1 when a size target is missed (sizes are deterministic, so
CI may enforce them). Needs root for apt (the .deb runs) and Wine for the Windows runs.
Run from the repository root: python3 bench/bundle.py [--check] [--no-install] [--no-wine]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
MB = 1024 * 1024
RUNS = 5
SETUP_LIMIT_MB = 25.0
DEB_RATIO_LIMIT = 1.1
WINE_ENV = {
    "WINEDEBUG": "-all",
    "WINEARCH": "win64",
    "WINEDLLOVERRIDES": "mscoree,mshtml=;winemenubuilder.exe=d;wbemprox=d",
    "WINEQT_QPA_PLATFORM": "offscreen",
}

ARTIFACTS = {
    "setup.exe": (
        REPO / "dist" / f"ixempra-gui-{VERSION}-setup.exe",
        REPO / "build" / "bench" / "hello-pyside6-setup.exe",
        ["bash", "packaging/build-windows.sh"],
    ),
    ".deb": (
        REPO / "dist" / f"ixempra-gui_{VERSION}_amd64.deb",
        REPO / "build" / "bench" / f"hello-pyside6_{VERSION}_amd64.deb",
        ["bash", "packaging/build-deb.sh"],
    ),
}


def build(command: list[str], hello: bool) -> None:
    args = [*command, "--hello"] if hello else command
    print(f"bench: building {' '.join(args)}", flush=True)
    subprocess.run(args, cwd=REPO, check=True, stdout=subprocess.DEVNULL)


def installed_bytes(artifact: Path) -> int:
    return int(Path(f"{artifact}.installed-bytes").read_text().strip())


def sizes() -> bool:
    ok = True
    print(
        "\nSizes (hello = bare PySide6 QLabel app with the same Python, trimmed Qt, PostgreSQL "
        "driver and compression):"
    )
    for kind, (app, hello, command) in ARTIFACTS.items():
        if not app.is_file():
            build(command, hello=False)
        build(command, hello=True)  # always rebuilt: the baseline comes from this run
        a, h = app.stat().st_size, hello.stat().st_size
        ia, ih = installed_bytes(app), installed_bytes(hello)
        ratio = a / h
        print(
            f"  {kind:<9} app {a / MB:6.1f} MB | hello {h / MB:6.1f} MB | ratio {ratio:.2f}"
            f"   installed: app {ia / MB:5.1f} MB | hello {ih / MB:5.1f} MB | ratio {ia / ih:.2f}"
        )
        if kind == "setup.exe":
            met = a / MB <= SETUP_LIMIT_MB
            print(f"  setup.exe target <= {SETUP_LIMIT_MB} MB: {'ok' if met else 'ABOVE TARGET'}")
        else:
            met = ratio <= DEB_RATIO_LIMIT
            print(f"  .deb target <= {DEB_RATIO_LIMIT}x hello: {'ok' if met else 'ABOVE TARGET'}")
        ok = ok and met
    return ok


def median_run(command: list[str], env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} exited {done.returncode}: {done.stdout}")
    return statistics.median(times)


def apt(*args: str) -> None:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", *args, "-y", "-qq"], check=True, env=env, stdout=subprocess.DEVNULL)


def deb_startup() -> None:
    app, hello, _ = ARTIFACTS[".deb"]
    apt("install", "--no-install-recommends", str(app), str(hello))
    try:
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env["QT_QPA_PLATFORM"] = "offscreen"
        ours = median_run(["ixempra-gui", "--self-test"], env)
        base = median_run(["hello-pyside6", "--self-test"], env)
    finally:
        apt("purge", "ixempra-gui", "hello-pyside6")
    print(f"\nInstalled .deb, offscreen, median of {RUNS} runs:")
    print(
        f"  ixempra-gui --self-test {ours * 1e3:6.0f} ms | hello start {base * 1e3:6.0f} ms "
        f"| ratio {ours / base:.2f}"
    )


def wine(prefix: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, WINEPREFIX=str(prefix), **WINE_ENV)
    # Piped, never a file: Wine 8 + CPython 3.13 cannot set up std streams on a regular file.
    return subprocess.run(["wine", *args], env=env, capture_output=True, text=True, timeout=timeout)


def wine_startup() -> None:
    app, hello, _ = ARTIFACTS["setup.exe"]
    prefix = Path(tempfile.mkdtemp(prefix="bench-wine-"))
    env = dict(os.environ, WINEPREFIX=str(prefix), **WINE_ENV)
    try:
        wine(prefix, "wineboot", "--init")
        subprocess.run(["wineserver", "-w"], env=env, timeout=120)
        # Wine 8's prefix says Windows 7, which the installers refuse; report Windows 10.
        wine(prefix, "winecfg", "/v", "win10")
        for setup in (app, hello):
            wine(prefix, str(setup), "/S")
            subprocess.run(["wineserver", "-w"], env=env, timeout=120)
        programs = prefix / "drive_c" / "Program Files"
        ours = median_run(
            ["wine", str(programs / "Ixempra Dosing Workstation/python/python.exe"),
             "-m", "ixempra_gui", "--self-test"], env)  # fmt: skip
        base = median_run(
            ["wine", str(programs / "Hello PySide6/python/python.exe"),
             "-m", "hello_pyside6", "--self-test"], env)  # fmt: skip
    finally:
        subprocess.run(["wineserver", "-k"], env=env, timeout=60, check=False)
        subprocess.run(["wineserver", "-w"], env=env, timeout=60, check=False)
        shutil.rmtree(prefix, ignore_errors=True)
    print(f"\nInstalled setup.exe under Wine 8, offscreen, median of {RUNS} runs (not Windows):")
    print(
        f"  python.exe -m ixempra_gui --self-test {ours * 1e3:6.0f} ms | hello start "
        f"{base * 1e3:6.0f} ms | ratio {ours / base:.2f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a size target is missed")
    parser.add_argument("--no-install", action="store_true", help="sizes only")
    parser.add_argument("--no-wine", action="store_true", help="skip the Wine start-up runs")
    options = parser.parse_args()
    ok = sizes()
    if not options.no_install:
        deb_startup()
        if not options.no_wine:
            wine_startup()
    print(f"\nbench: bundle sizes {'within targets' if ok else 'ABOVE TARGET'}")
    return 0 if ok or not options.check else 1


if __name__ == "__main__":
    sys.exit(main())
