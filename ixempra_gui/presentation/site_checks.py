"""Qt-free: what the window says about the site's set-up once it is on screen — unusable site
settings (``[site]`` in settings.ini), folders other users can write (the settings' folder,
which holds the journal's anchor, and the journal's) — and where its icon is. Loaded after the
first frame (``presentation.loader``): nothing here is needed to paint it.
"""

from __future__ import annotations

from pathlib import Path

from ixempra_gui.core.resources import resource_path
from ixempra_gui.journal.paths import folder_warning
from ixempra_gui.system.private_files import writable_by_others
from ixempra_gui.system.site_settings import load_site_settings


def site_notes(settings_file: str) -> list[str]:
    """What to say about the site's set-up, most important first (none: all is well)."""
    _, problems = load_site_settings(Path(settings_file))
    notes = [f"settings {settings_file}: [site] {problem}" for problem in problems]
    if warning := writable_by_others(Path(settings_file).parent):
        notes.append(f"warning: {warning}")
    if warning := folder_warning():
        notes.append(warning)
    return notes


def icon_file() -> Path:
    """The SVG window icon."""
    return resource_path("icons", "ixempra-gui.svg")
