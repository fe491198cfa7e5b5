"""Preferences for the preparation (issue 16): the bag label's second-identifier lines (the
site's ``second_patient_identifier``, the same key ``ixempra-journal label`` reads) and the
character the scanners send for the GS1 group separator, each checked and kept in settings.ini.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox

from ixempra_gui.core.gs1_types import GS_SUBSTITUTES
from ixempra_gui.presentation.preferences import Preferences
from ixempra_gui.system.site_settings import parse_flag, read_group
from ixempra_gui.ui.preferences_dialog import PreferencesDialog
from ixempra_gui.ui.settings import load_preferences, save_preferences


def test_the_dialog_sets_the_second_identifier_and_the_substitute(qtbot) -> None:
    dialog = PreferencesDialog(Preferences())
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    check = dialog.second_identifier
    assert check.objectName() == "secondPatientIdentifierCheck" and not check.isChecked()
    field = dialog.edits["scanner_gs_substitute"]
    assert field.text() == ""
    field.setText("A")  # a data character: it would be read as GS inside a lot
    assert not ok.isEnabled()
    assert "must be one of" in dialog.problems["scanner_gs_substitute"].text()
    field.setText("~")
    check.setChecked(True)
    assert ok.isEnabled()
    prefs = dialog.preferences()
    assert (prefs.scanner_gs_substitute, prefs.second_patient_identifier) == ("~", True)


@pytest.mark.parametrize("substitute", list(GS_SUBSTITUTES))
def test_each_substitute_and_the_flag_survive_settings_ini(tmp_path: Path, substitute: str) -> None:
    ini = tmp_path / "settings.ini"
    settings = QSettings(str(ini), QSettings.Format.IniFormat)
    chosen = replace(
        Preferences(), scanner_gs_substitute=substitute, second_patient_identifier=True
    )
    save_preferences(settings, chosen)
    settings.sync()
    loaded, problems = load_preferences(QSettings(str(ini), QSettings.Format.IniFormat))
    assert problems == ()
    assert loaded.scanner_gs_substitute == substitute and loaded.second_patient_identifier
    # the CLI's label reads the same key, without Qt
    stored = read_group(ini, "preferences")["second_patient_identifier"]
    assert isinstance(stored, str) and parse_flag(stored) is True
