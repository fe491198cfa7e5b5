"""Save a PNG of an X display's whole screen and say whether it shows something.

``DISPLAY=:N python packaging/windows/screenshot.py OUT.png`` with a Python that has PySide6 for
Linux (the build machine's .venv). Used by wine-test.sh to photograph the installed app, launched
from its Start-menu shortcut under Xvfb. Exit 1 when the picture is blank (under 8 colours).
"""

from __future__ import annotations

import sys

from PySide6.QtGui import QGuiApplication


def main(argv: list[str]) -> int:
    app = QGuiApplication(["screenshot", "-platform", "xcb"])
    screen = app.primaryScreen()
    image = screen.grabWindow(0).toImage()
    image.save(argv[0], "PNG")
    step = max(1, image.width() // 200)
    colours = {
        image.pixel(x, y)
        for x in range(0, image.width(), step)
        for y in range(0, image.height(), step)
    }
    print(f"screenshot: {argv[0]} {image.width()}x{image.height()}, {len(colours)} colours sampled")
    return 0 if len(colours) >= 8 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
