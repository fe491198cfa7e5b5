"""Crashes and races: SIGKILL in the middle of a burst of recordings, and two processes
recording at once. Every record whose id was printed must be there, and the chain must hold."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO
from journal_support import complete_lines, record_args, start_loop

from ixempra_gui.journal.store import Journal

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX"),
]


def _check(folder: Path, printed: dict[int, str]) -> int:
    """Every printed id is in the journal, for the patient it was printed with; chain holds."""
    with Journal.open(folder) as journal:
        report = journal.verify()
        assert report.ok, report.problem
        for record_id, patient in printed.items():
            stored = journal.get(record_id)
            assert stored is not None, f"record {record_id} was acknowledged but is missing"
            assert stored.patient_id == patient
        return journal.count()


def _kill_at_random(procs: list[subprocess.Popen[str]], rng: random.Random, span: float) -> None:
    deadlines = sorted((rng.uniform(0.02, span), p) for p in rng.sample(procs, len(procs) // 2))
    start = time.monotonic()
    for at, proc in deadlines:
        time.sleep(max(0.0, at - (time.monotonic() - start)))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)


def test_sigkill_during_a_burst_of_record_processes(tmp_path: Path) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    env = dict(os.environ, PYTHONPATH=str(REPO), IXEMPRA_DATA_DIR=str(tmp_path))
    printed: dict[int, str] = {}
    killed = 0
    for burst in range(2):
        patients = [f"K{burst}-{i}" for i in range(8)]
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "ixempra_gui.cli.journal", *record_args(p)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
                cwd=REPO,
            )
            for p in patients
        ]
        _kill_at_random(procs, rng, span=0.8)
        for patient, proc in zip(patients, procs, strict=True):
            out, err = proc.communicate(timeout=60)
            if proc.returncode == -signal.SIGKILL:
                killed += 1
            else:
                assert proc.returncode == 0, f"seed {seed}: {err}"
            lines = complete_lines(out)
            if lines and lines[-1].isdigit():
                record_id = int(lines[-1])
                assert record_id not in printed, f"seed {seed}: id {record_id} printed twice"
                printed[record_id] = patient
    assert killed, f"seed {seed}: no process was killed"
    assert printed, f"seed {seed}: no process finished"
    assert _check(tmp_path, printed) >= len(printed)


def test_sigkill_in_a_tight_recording_loop(tmp_path: Path) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    printed: dict[int, str] = {}
    for round_ in range(3):
        proc = start_loop(tmp_path, f"L{round_}", 100_000)
        # Kill it while it records, however long its start-up takes on a loaded machine: once
        # its first record is acknowledged, at a random moment within the next half second.
        assert proc.stdout is not None
        first = proc.stdout.readline()
        time.sleep(rng.uniform(0.0, 0.5))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL, f"seed {seed}: {err}"
        for line in complete_lines(first + out):
            record_id, patient = line.split(" ", 1)
            printed[int(record_id)] = patient
    assert printed, f"seed {seed}: nothing was recorded before the kills"
    assert _check(tmp_path, printed) >= len(printed)


def test_two_processes_recording_at_once_lose_nothing(tmp_path: Path) -> None:
    count = 25
    procs = [start_loop(tmp_path, tag, count) for tag in ("A", "B")]
    printed: dict[int, str] = {}
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        for line in complete_lines(out):
            record_id, patient = line.split(" ", 1)
            assert int(record_id) not in printed
            printed[int(record_id)] = patient
    assert len(printed) == 2 * count
    assert sorted(printed) == list(range(1, 2 * count + 1))
    assert _check(tmp_path, printed) == 2 * count
