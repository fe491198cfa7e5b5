"""How the dosing engine's cost compares with pint's own, measured in the same run.

The core parses every input through pint (Fraction magnitudes, a small definitions file), so the
honest yardstick is pint itself on this machine: absolute timings vary between machines, ratios
much less. Two things matter to a pharmacist:

1. one whole calculation from the eight typed strings, against pint merely parsing those strings
   (target: ratio <= 1.5);
2. start-up of a fresh process that imports the core and builds its registry, against one that
   imports pint and builds its default registry (target: ratio <= 0.6).

Prints figures only; never fails on timings. Run from the repository root: python bench/engine.py
"""

from __future__ import annotations

import importlib.util
import platform
import statistics
import subprocess
import sys
import time
import timeit
from pathlib import Path

import pint

REPO_ROOT = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("ixempra_gui") is None:  # a checkout that is not installed
    sys.path.insert(0, str(REPO_ROOT))

import ixempra_gui  # noqa: E402
from ixempra_gui.core.calculator import calculate  # noqa: E402
from ixempra_gui.core.models import Order  # noqa: E402

# Reference case v01.
INPUTS = {
    "height": "170 cm",
    "weight": "70 kg",
    "ast": "30 U/L",
    "ast_uln": "40 U/L",
    "alt": "25 U/L",
    "alt_uln": "40 U/L",
    "bilirubin": "0.8 mg/dL",
    "bilirubin_uln": "1.2 mg/dL",
    "anc": "1800",  # counts are required before every cycle (issue 12)
    "platelets": "150000",
}
REPEATS = 7
RUNS = 9  # fresh processes per start-up variant

# Both sides of each start-up comparison convert a quantity, so the registry is really built and
# used (pint 0.25 builds it eagerly in __init__, this keeps the check honest if that changes).
# pint's on-disk cache is off on both sides: the core passes cache_folder=None and a default
# UnitRegistry() also has cache_folder=None, so every process parses its definitions file.
TOUCH = 'Quantity(1, "m").to("cm")'
STARTUP = {
    "python alone": "pass",
    "pint": f"import pint; pint.UnitRegistry().{TOUCH}",
    "core": f"from ixempra_gui.core.units import registry; registry().{TOUCH}",
    "core+policy": (
        f"from ixempra_gui.core.units import registry; registry().{TOUCH}; "
        "from ixempra_gui.core.policy import load_policy; load_policy()"
    ),
}


def bench_calculation() -> tuple[float, float]:
    """Best per-call seconds of (engine, pint), alternating repeats so drift hits both."""
    order = Order(regimen="monotherapy", **INPUTS)
    ureg = pint.UnitRegistry()
    strings = tuple(INPUTS.values())

    def engine() -> None:
        calculate(order)

    def pint_parse() -> None:
        for s in strings:
            ureg.parse_expression(s)

    result = calculate(order)  # also warms the registry, policy and parse caches
    if result.status.value != "ok":
        raise RuntimeError(f"reference case v01 did not compute: {result.status}")
    pint_parse()

    timers = [timeit.Timer(engine), timeit.Timer(pint_parse)]
    loops = [t.autorange()[0] for t in timers]  # also a warm-up
    best = [float("inf"), float("inf")]
    for _ in range(REPEATS):
        for i, timer in enumerate(timers):
            best[i] = min(best[i], timer.timeit(loops[i]) / loops[i])
    return best[0], best[1]


def run_fresh(code: str) -> float:
    """Wall time of one fresh interpreter running ``code`` (same interpreter, env, cwd)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, check=True)
    return time.perf_counter() - start


def bench_startup() -> dict[str, float]:
    """Median wall seconds per variant over RUNS rounds, variants alternating within a round."""
    for code in STARTUP.values():  # warm-up: .pyc files and the OS file cache
        run_fresh(code)
    times: dict[str, list[float]] = {name: [] for name in STARTUP}
    for _ in range(RUNS):
        for name, code in STARTUP.items():
            times[name].append(run_fresh(code))
    return {name: statistics.median(t) for name, t in times.items()}


def ratio_line(label: str, ours: str, base: str, ratio: float, target: float) -> str:
    verdict = "ok" if ratio <= target else "ABOVE TARGET"
    return f"{label}: {ours} | {base} | ratio {ratio:.2f} (target <= {target}) {verdict}"


def main() -> None:
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}) | "
        f"pint {pint.__version__} | {platform.platform()}"
    )
    print(f"core: {Path(ixempra_gui.__file__).parent} (fresh processes: cwd {REPO_ROOT})")
    engine, pint_parse = bench_calculation()
    print(f"\nPer call, best of {REPEATS} repeats (pint baseline: ureg.parse_expression, float):")
    print(
        ratio_line(
            "  calc from strings",
            f"{engine * 1e6:,.0f} µs/call",
            f"pint parse of the same 8 strings: {pint_parse * 1e6:,.0f} µs",
            engine / pint_parse,
            1.5,
        )
    )

    medians = bench_startup()
    print(f"\nFresh process wall time, median of {RUNS} alternating runs:")
    for name, seconds in medians.items():
        print(f"  {name:<13} {seconds * 1e3:6.1f} ms   python -c {STARTUP[name]!r}")
    base = medians["pint"]
    for name in ("core", "core+policy"):
        ours = medians[name]
        print(
            ratio_line(
                f"  {name} start-up",
                f"{ours * 1e3:.1f} ms",
                f"pint: {base * 1e3:.1f} ms",
                ours / base,
                0.6,
            )
        )


if __name__ == "__main__":
    main()
