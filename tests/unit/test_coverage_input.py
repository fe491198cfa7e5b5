"""Coverage answers as typed: good ones become a CoverageRequest; a malformed one is a field
issue naming its field (the CLI's exit 2). The diagnosis is judged later, never refused here."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ixempra_gui.core.coverage_input import CoverageOrder, parse_coverage_order
from ixempra_gui.core.coverage_rules import PriorTherapy, RequestType, Response, Setting
from ixempra_gui.core.models import Severity
from ixempra_gui.core.policy import load_policy

POLICY = load_policy()
TODAY = date(2026, 1, 15)


def parse(**answers: Any) -> Any:
    return parse_coverage_order(CoverageOrder(**answers), POLICY, TODAY)


def test_answers_are_read() -> None:
    req, issues = parse(
        request=" Renewal ",
        diagnosis=" c50911 ",
        setting="METASTATIC",
        resistant_to="taxane, Anthracycline,taxane",
        anthracycline_contraindicated=True,
        response="stable",
        unacceptable_toxicity="cardiac-ischemia,peripheral-neuropathy",
        request_date="2024-02-29",
    )
    assert issues == ()
    assert req.request is RequestType.RENEWAL and not req.request_defaulted
    assert req.diagnosis == " c50911 "  # judged (and normalised) by the evaluation
    assert req.setting is Setting.METASTATIC and req.response is Response.STABLE
    assert req.resistant_to == {PriorTherapy.ANTHRACYCLINE, PriorTherapy.TAXANE}
    assert req.anthracycline_contraindicated and not req.progression_on_ixempra
    # policy order, whatever order they were typed in
    assert req.unacceptable_toxicities == ("peripheral-neuropathy", "cardiac-ischemia")
    assert req.request_date == date(2024, 2, 29)


def test_defaults() -> None:
    req, issues = parse(diagnosis="C50.911")
    assert issues == ()
    assert req.request is RequestType.INITIAL and req.request_defaulted
    assert req.request_date == TODAY
    assert (req.setting, req.response, req.resistant_to, req.unacceptable_toxicities) == (
        None,
        None,
        frozenset(),
        (),
    )


@pytest.mark.parametrize("empty", ["none", "NONE", "", "  "])
def test_explicit_empty_lists(empty: str) -> None:
    req, issues = parse(resistant_to=empty, unacceptable_toxicity=empty)
    assert issues == () and req.resistant_to == frozenset() and req.unacceptable_toxicities == ()


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"request": "first"}, "request"),
        ({"setting": "foo"}, "setting"),
        ({"setting": "neoadjuvant"}, "setting"),
        ({"response": "partial"}, "response"),
        ({"resistant_to": "taxanes"}, "resistant_to"),
        ({"resistant_to": "taxane,,anthracycline"}, "resistant_to"),
        ({"resistant_to": "taxane,none"}, "resistant_to"),
        ({"resistant_to": "platinum"}, "resistant_to"),
        ({"unacceptable_toxicity": "neuropathy"}, "unacceptable_toxicity"),
        ({"unacceptable_toxicity": "myelosuppression;cardiac-ischemia"}, "unacceptable_toxicity"),
        ({"request_date": "2025-02-30"}, "request_date"),
        ({"request_date": "31/08/2025"}, "request_date"),
        ({"request_date": "20250831"}, "request_date"),
        ({"request_date": "2025-8-31"}, "request_date"),
        ({"request_date": "tomorrow"}, "request_date"),
    ],
)
def test_malformed_answers_name_their_field(answers: dict[str, str], field: str) -> None:
    req, issues = parse(diagnosis="C50.911", **answers)
    assert req is None
    [issue] = issues
    assert issue.field == field and issue.severity is Severity.STOP and issue.blocks
    assert "Accepted" in issue.message


def test_all_bad_fields_at_once() -> None:
    req, issues = parse(setting="x", response="y", request_date="z")
    assert req is None
    assert [i.field for i in issues] == ["setting", "response", "request_date"]


def test_messages_list_what_is_accepted() -> None:
    _, [setting] = parse(setting="foo")
    assert "metastatic, recurrent, adjuvant or other" in setting.message
    _, [tox] = parse(unacceptable_toxicity="neuropathy")
    for t in POLICY.coverage.toxicities:
        assert t.code in tox.message
    _, [bad_item] = parse(resistant_to="taxane,,")
    assert "an empty item" in bad_item.message


def test_a_wrong_diagnosis_is_not_an_input_error() -> None:
    for code in ("C50.9", "C34.90", "", "garbage"):
        req, issues = parse(diagnosis=code)
        assert issues == () and req is not None


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("2024-02-16", True),  # the day the policy's criteria took effect (policy data)
        ("2024-02-15", False),
        ("2027-01-16", True),  # today + 366 days
        ("2027-01-17", False),
        ("9999-12-31", False),
        ("0001-01-01", False),
        ("２０２６-０１-１５", False),
        ("2026-01-15\u200b", False),
        ("9" * 5000, False),
    ],
)
def test_the_request_date_range(text: str, accepted: bool) -> None:
    """Issue 13.5: from the policy's effective date to a year after today; ASCII digits."""
    assert POLICY.criteria_effective == "2024-02-16"
    request, issues = parse(request="initial", request_date=text)
    if accepted:
        assert request is not None and request.request_date == date.fromisoformat(text)
    else:
        assert request is None and [i.field for i in issues] == ["request_date"]
        assert issues[0].message.startswith("Request date:")
