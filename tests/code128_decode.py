"""A Code 128 reader for the tests, written from the symbol table of ISO/IEC 15417 (bar and
space widths of the 107 symbols), independent of python-barcode: modules → text, with the
start code, code set switches and the modulo-103 check symbol verified."""

from __future__ import annotations

# Value → widths (bar, space, bar, space, bar, space), ISO/IEC 15417 table 1; 106 is STOP.
_ROWS = (
    "212222 222122 222221 121223 121322 131222 122213 122312 132212 221213",
    "221312 231212 112232 122132 122231 113222 123122 123221 223211 221132",
    "221231 213212 223112 312131 311222 321122 321221 312212 322112 322211",
    "212123 212321 232121 111323 131123 131321 112313 132113 132311 211313",
    "231113 231311 112133 112331 132131 113123 113321 133121 313121 211331",
    "231131 213113 213311 213131 311123 311321 331121 312113 312311 332111",
    "314111 221411 431111 111224 111422 121124 121421 141122 141221 112214",
    "112412 122114 122411 142112 142211 241211 221114 413111 241112 134111",
    "111242 121142 121241 114212 124112 124211 411212 421112 421211 212141",
    "214121 412121 111143 111341 131141 114113 114311 411113 411311 113141",
    "114131 311141 411131 211412 211214 211232",
)
WIDTHS = tuple(w for row in _ROWS for w in row.split())
STOP = "2331112"
START_A, START_B, START_C, CODE_C, CODE_B, CODE_A = 103, 104, 105, 99, 100, 101


class Unreadable(ValueError):
    pass


def _modules(widths: str, dark_first: bool = True) -> str:
    out, dark = [], dark_first
    for w in widths:
        out.append(("1" if dark else "0") * int(w))
        dark = not dark
    return "".join(out)


PATTERNS = {_modules(w): value for value, w in enumerate(WIDTHS)}


def decode(modules: str) -> str:
    """The text of a Code 128 symbol given as modules (1 dark, 0 light), start to stop."""
    if not modules.endswith(_modules(STOP)):
        raise Unreadable("no stop pattern")
    body = modules[: -len(_modules(STOP))]
    if len(body) % 11:
        raise Unreadable("not a whole number of symbols")
    values = []
    for i in range(0, len(body), 11):
        chunk = body[i : i + 11]
        if chunk not in PATTERNS:
            raise Unreadable(f"symbol {i // 11} is not in the table")
        values.append(PATTERNS[chunk])
    *data, check = values
    if sum(v * max(i, 1) for i, v in enumerate(data)) % 103 != check:
        raise Unreadable("check symbol does not match")
    start, *rest = data
    sets = {START_A: "A", START_B: "B", START_C: "C"}
    if start not in sets:
        raise Unreadable("no start code")
    current, text = sets[start], []
    for v in rest:
        if current == "C" and v < 100:
            text.append(f"{v:02d}")
        elif v == CODE_B and current != "B":
            current = "B"
        elif v == CODE_C and current != "C":
            current = "C"
        elif v == CODE_A and current != "A":
            current = "A"
        elif (current == "B" and v < 96) or (current == "A" and v < 64):
            text.append(chr(v + 32))
        else:
            raise Unreadable(f"value {v} in code set {current} is not read by this reader")
    return "".join(text)
