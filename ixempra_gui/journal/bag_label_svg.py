"""A bag label as one SVG document (``ixempra-journal label --svg``): the lines of
``bag_label.BagLabel`` and the Code 128 bars drawn from its modules, on a 100 mm wide label.
Every text is XML-escaped; the file prints at its size from any browser or label software.
"""

from __future__ import annotations

from typing import Final
from xml.sax.saxutils import escape

from ixempra_gui.journal.bag_label import BLANK, DEADLINE, DRUG_LINE, WARNING, BagLabel

WIDTH_MM: Final = 100.0
MARGIN_MM: Final = 4.0
LINE_MM: Final = 4.6
MODULE_MM: Final = 0.33
BAR_HEIGHT_MM: Final = 12.0
QUIET_MODULES: Final = 10
_SIZES: Final = {WARNING: 3.0, DRUG_LINE: 4.2, DEADLINE: 3.4}
_BOLD: Final = {WARNING, DRUG_LINE, DEADLINE}


def _wrap(text: str, limit: int) -> list[str]:
    """Lines of at most ``limit`` characters, broken at spaces where there are any."""
    out, current = [], ""
    for word in text.split(" "):
        while len(word) > limit:
            if current:
                out.append(current)
                current = ""
            out.append(word[:limit])
            word = word[limit:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) > limit:
            out.append(current)
            current = word
        else:
            current = candidate
    if current or not out:
        out.append(current)
    return out


def bag_label_svg(label: BagLabel) -> str:
    """The whole label as SVG text (UTF-8 when written)."""
    parts: list[str] = []
    y = MARGIN_MM
    for line in label.lines:
        size = _SIZES.get(line.role, 2.8)
        weight = "bold" if line.role in _BOLD else "normal"
        # Average advance per character (DejaVu Sans, measured): about 0.45 em, bold capitals
        # about 0.65 em; a little under, so that no line runs off the label.
        limit = int((WIDTH_MM - 2 * MARGIN_MM) / (size * (0.68 if weight == "bold" else 0.48)))
        for piece in _wrap(line.text, limit):
            y += size * 1.25 if line.role != BLANK else LINE_MM * 1.4
            fill = "#b00000" if line.role == WARNING else "#000000"
            parts.append(
                f'<text x="{MARGIN_MM}" y="{y:.2f}" font-size="{size}" font-weight="{weight}" '
                f'fill="{fill}">{escape(piece)}</text>'
            )
    y += 3.0
    x = MARGIN_MM + QUIET_MODULES * MODULE_MM
    for dark, width in label.barcode.bar_widths():
        if dark:
            parts.append(
                f'<rect x="{x:.3f}" y="{y:.2f}" width="{width * MODULE_MM:.3f}" '
                f'height="{BAR_HEIGHT_MM}" fill="#000000"/>'
            )
        x += width * MODULE_MM
    y += BAR_HEIGHT_MM + 3.2
    parts.append(
        f'<text x="{MARGIN_MM + QUIET_MODULES * MODULE_MM}" y="{y:.2f}" font-size="2.8">'
        f"Record {escape(label.barcode.text)}</text>"
    )
    height = y + MARGIN_MM
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH_MM}mm" height="{height:.1f}mm" '
        f'viewBox="0 0 {WIDTH_MM} {height:.1f}" font-family="DejaVu Sans, Arial, sans-serif">\n'
        f'<rect width="100%" height="100%" fill="#ffffff"/>\n' + "\n".join(parts) + "\n</svg>\n"
    )
