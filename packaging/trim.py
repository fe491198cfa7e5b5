"""Trim installed wheels to an allow-list: ``python packaging/trim.py SITE_PACKAGES KEEP_LIST``.

The keep list names the folders to trim (``trim: A B``) and the glob patterns of the files to keep
in them; every other file under those folders is deleted, and so are folders left empty. Files
outside the trimmed folders are never touched. Prints what was kept and removed, in bytes.
Allow-list, not deny-list: a new Qt release cannot slip 50 MB of QML back in unnoticed.
"""

from __future__ import annotations

import fnmatch
import sys
from pathlib import Path


def read_keep_list(path: Path) -> tuple[list[str], list[str]]:
    roots: list[str] = []
    patterns: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("trim:"):
            roots += line.removeprefix("trim:").split()
        else:
            patterns.append(line)
    return roots, patterns


def trim(site: Path, roots: list[str], patterns: list[str]) -> tuple[int, int, list[str]]:
    """Delete unlisted files under the roots; returns (bytes kept, bytes removed, unmatched)."""
    kept = removed = 0
    used: set[str] = set()
    for root in roots:
        base = site / root
        if not base.exists():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file() or p.is_symlink()):
            relative = path.relative_to(site).as_posix()
            hits = [p for p in patterns if fnmatch.fnmatchcase(relative, p)]
            size = path.lstat().st_size
            if hits:
                used.update(hits)
                kept += size
            else:
                path.unlink()
                removed += size
        for folder in sorted((p for p in base.rglob("*") if p.is_dir()), reverse=True):
            if not any(folder.iterdir()):
                folder.rmdir()
        if base.is_dir() and not any(base.iterdir()):
            base.rmdir()
    return kept, removed, [p for p in patterns if p not in used]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    site, keep_list = Path(argv[0]), Path(argv[1])
    roots, patterns = read_keep_list(keep_list)
    kept, removed, unmatched = trim(site, roots, patterns)
    mb = 1024 * 1024
    print(f"trim: kept {kept / mb:.1f} MB, removed {removed / mb:.1f} MB under {', '.join(roots)}")
    if unmatched:  # a listed file that is not there: the wheel changed, the list must follow
        print(f"trim: listed but not found: {', '.join(unmatched)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
