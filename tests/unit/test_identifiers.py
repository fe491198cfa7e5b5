"""Issue 13.3 and 13.8: one rule for patient identifiers, one key per patient, and what names,
comments and the site settings accept."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ixempra_gui.journal.identifiers import (
    check_free_text,
    check_patient_id,
    check_person,
    patient_key,
    same_person,
    trim_patient_id,
)
from ixempra_gui.site_settings import (
    SiteSettings,
    config_dir,
    load_site_settings,
    parse_site_settings,
    read_group,
    user_config_base,
)

DEFAULT = SiteSettings()


@pytest.mark.parametrize(
    "patient_id", ["MRN 0012345", "mrn0012345", "A", "a.b_c-d", "0", "x" * 40, "  MRN 1  "]
)
def test_the_default_rule_accepts(patient_id: str) -> None:
    assert check_patient_id(patient_id, DEFAULT) is None


@pytest.mark.parametrize(
    ("patient_id", "named"),
    [
        ("", "required"),
        ("   ", "required"),
        ("MRN\u200b0012345", "U+200B ZERO WIDTH SPACE at position 4"),
        ("MRN\u00ad0012345", "U+00AD SOFT HYPHEN"),
        ("MRN\u20600012345", "U+2060 WORD JOINER"),
        ("\ufeffMRN", "U+FEFF ZERO WIDTH NO-BREAK SPACE at position 1"),
        ("MRN-\u0430", "U+0430 CYRILLIC SMALL LETTER A"),  # looks like a Latin a
        ("MRN-\u03bf", "U+03BF GREEK SMALL LETTER OMICRON"),
        ("١٧٠", "U+0661 ARABIC-INDIC DIGIT ONE"),
        ("１７０", "U+FF11 FULLWIDTH DIGIT ONE"),
        ("MRN\t1", "U+0009"),
        ("MRN\u00a01", "U+00A0 NO-BREAK SPACE"),
        ("MRN#1", "'#' U+0023 NUMBER SIGN"),
        ("MRN  1", "two spaces in a row at position 4"),
        ("x" * 41, "at most 40 characters (41 given)"),
        ("9" * 5000, "at most 40 characters (5000 given)"),
    ],
)
def test_the_default_rule_refuses_naming_the_character(patient_id: str, named: str) -> None:
    problem = check_patient_id(patient_id, DEFAULT)
    assert problem is not None and problem.startswith("Patient id:") and named in problem


def test_spaces_and_case_are_not_part_of_the_key() -> None:
    assert patient_key("MRN 0012345") == patient_key("mrn0012345") == "mrn0012345"
    assert patient_key("MRN-1") != patient_key("MRN1")  # punctuation is part of it


@pytest.mark.parametrize(
    "legacy",
    [
        "MRN\u200b0012345",
        "MRN\u00ad0012345",
        "MRN\u20600012345",
        "\ufeffMRN0012345",
        "ＭＲＮ００１２３４５",
        "\u041cRN0012345",  # Cyrillic capital EM
        "MRN\u00a00012345",
        "MRN٠٠١٢٣٤٥",
        "mrn 0012345\n",
    ],
)
def test_old_records_look_alikes_fold_to_the_clean_key(legacy: str) -> None:
    assert patient_key(legacy) == patient_key("MRN 0012345")


def test_a_site_pattern_replaces_the_default_rule_but_never_lets_non_ascii_in() -> None:
    site = SiteSettings(patient_id_pattern=r"[A-Z]{3}[0-9]{7}")
    assert check_patient_id("MRN0012345", site) is None
    assert "does not match this site's identifier format" in (
        check_patient_id("MRN 0012345", site) or ""
    )
    loose = SiteSettings(patient_id_pattern=r".+")
    assert "U+200B" in (check_patient_id("MRN\u200b1", loose) or "")
    assert "at most 200 characters" in (check_patient_id("x" * 201, loose) or "")


def test_trimming_is_spaces_only() -> None:
    assert trim_patient_id("  MRN 1 ") == "MRN 1"
    assert trim_patient_id("\u00a0MRN") == "\u00a0MRN"  # refused by the rule, not hidden


def test_names_refuse_invisible_characters_so_one_person_cannot_sign_twice() -> None:
    assert check_person("Verified by", "Zoë Ångström") is None
    assert "U+200B" in (check_person("Verified by", "A.\u200b Smith") or "")
    assert "U+0661" in (check_person("Verified by", "Smith ١") or "")
    assert same_person("A. Smith", "a.  SMITH")


def test_comments_keep_line_breaks_but_no_other_control_character() -> None:
    assert check_free_text("Comment", "re-weighed today\nfirst entry is current") is None
    assert "U+0009" in (check_free_text("Comment", "a\tb") or "")
    assert "U+000D" in (check_free_text("Comment", "a\r\nb") or "")
    assert "U+202E" in (check_free_text("Comment", "evil\u202etxt") or "")
    assert "at most 2000" in (check_free_text("Comment", "x" * 2001) or "")


# --- the site settings (settings.ini, [site]) ----------------------------------------------------


def _ini(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.ini"
    path.write_text(text, encoding="utf-8")
    return path


def test_site_settings_are_read_as_qsettings_writes_them(tmp_path: Path) -> None:
    path = _ini(
        tmp_path,
        '[preferences]\nbag_sizes_ml="250, 100"\n\n[site]\n'
        'patient_id_pattern="[A-Z]{3}\\\\d{7}"\npdf_name_with_patient_id=true\n',
    )
    assert read_group(path, "site")["patient_id_pattern"] == "[A-Z]{3}\\d{7}"
    settings, problems = load_site_settings(path)
    assert settings == SiteSettings("[A-Z]{3}\\d{7}", True) and problems == ()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("patient_id_pattern=[A-Z]{1,40}", "double quotes"),
        ('patient_id_pattern="[A-Z"', "not a regular expression"),
        ('patient_id_pattern="[\u0430-\u044f]+"', "printable ASCII only"),
        ("pdf_name_with_patient_id=perhaps", "true or false"),
    ],
)
def test_an_unusable_site_setting_keeps_its_default_and_is_reported(
    text: str, problem: str
) -> None:
    from ixempra_gui.site_settings import _ini_value

    key, value = text.split("=", 1)
    settings, problems = parse_site_settings({key: _ini_value(value)})
    assert settings == SiteSettings() and len(problems) == 1 and problem in problems[0]


def test_the_settings_folder_is_the_environment_or_the_users_config_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("IXEMPRA_CONFIG_DIR", str(tmp_path))
    assert config_dir() == tmp_path
    monkeypatch.setenv("IXEMPRA_CONFIG_DIR", "")
    assert config_dir() == user_config_base() / "ixempra-gui"
    if os.name == "posix":
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
        assert config_dir() == tmp_path / "xdg" / "ixempra-gui"
