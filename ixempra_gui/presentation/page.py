"""A printed document's running header and footer, carried inside its HTML.

Qt's rich text has no running header, so a document (the worksheet, the PA summary) names
its header lines and footer in ``<meta>`` tags of its ``<head>``; ui/printing.py reads them
back with ``read_frame`` and paints them on every page, with "Page n of N". The text is
escaped like the rest of the document, so a patient identifier prints literally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape, unescape

_META = re.compile(r"<meta name='ixempra-(header|footer)' content='([^']*)'/>")


@dataclass(frozen=True)
class Frame:
    header: tuple[str, ...] = ()
    footer: str = ""


def running_frame(header: tuple[str, ...], footer: str) -> str:
    """The ``<meta>`` tags that give a document its running header lines and footer."""
    tags = [f"<meta name='ixempra-header' content='{escape(line)}'/>" for line in header]
    tags.append(f"<meta name='ixempra-footer' content='{escape(footer)}'/>")
    return "".join(tags)


def read_frame(html: str) -> Frame:
    """The running header and footer a document names (none: an empty frame)."""
    head = html.split("</head>", 1)[0] if "</head>" in html else ""
    header: list[str] = []
    footer = ""
    for kind, content in _META.findall(head):
        if kind == "header":
            header.append(unescape(content))
        else:
            footer = unescape(content)
    return Frame(tuple(header), footer)
