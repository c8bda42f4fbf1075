import json
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ponte.domain.errors import InvalidInput
from ponte.domain.policy import DayCount, Policy, StepKind, default_policy, default_policy_text, load_policy

SCHEMA = Path(__file__).parents[3] / "schemas" / "dunning-policy.schema.json"


def _document(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(default_policy_text())
    document.update(changes)
    return document


def _steps(*steps: tuple[str, str, int]) -> list[dict[str, Any]]:
    return [{"id": id_, "kind": kind, "offset_days": offset} for id_, kind, offset in steps]


def test_the_default_policy_is_valid_and_describes_the_whole_ladder() -> None:
    policy = default_policy()

    assert policy.day_count is DayCount.BUSINESS
    assert [s.kind for s in policy.steps] == [
        StepKind.REMINDER,
        StepKind.REMINDER,
        StepKind.OVERDUE_NOTICE,
        StepKind.OVERDUE_NOTICE,
        StepKind.FINAL_WARNING,
        StepKind.SUSPEND,
        StepKind.HAND_OFF,
    ]
    assert policy.fees.late_fee_percent == Decimal(2)
    assert policy.fees.mode == "informational" and "informational" in policy.description
    assert policy.currencies["BRL"].tolerance == 1000


def test_fees_are_informational_unless_the_policy_says_they_are_charged() -> None:
    document = _document(fees={"late_fee_percent": "2", "monthly_interest_percent": "1"})

    assert load_policy(json.dumps(document)).fees.mode == "informational"


def test_the_schema_file_matches_the_model() -> None:
    expected = Policy.model_json_schema()
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == expected, (
        "schemas/dunning-policy.schema.json is stale; regenerate it with "
        "json.dumps(Policy.model_json_schema(), indent=2, ensure_ascii=False)"
    )


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"version": 0}, "version: Input should be greater than or equal to 1"),
        ({"colour": "red"}, "colour: Extra inputs are not permitted"),
        ({"currencies": {"real": {"tolerance": 10}}}, "three capital letters"),
        ({"currencies": {"BRL": {"tolerance": -1}}}, "currencies.BRL.tolerance"),
        ({"fees": {"late_fee_percent": "2.5", "monthly_interest_percent": "1"}}, "above late_fee_cap_percent 2"),
        (
            {"fees": {"late_fee_percent": "5", "late_fee_cap_percent": "5", "monthly_interest_percent": "1"}},
            None,
        ),
        ({"fees": {"late_fee_percent": "2", "monthly_interest_percent": "30"}}, "less than or equal to 20"),
        ({"fees": {"mode": "billed", "late_fee_percent": "2", "monthly_interest_percent": "1"}}, "fees.mode"),
        ({"fees": {"mode": "charged", "late_fee_percent": "2", "monthly_interest_percent": "1"}}, None),
        ({"quiet_hours": {"start": "21:00", "end": "21:00"}}, "different times"),
        ({"deadline_notice_days": 0}, "deadline_notice_days"),
        (
            {"steps": _steps(("a", "reminder", -3), ("a", "overdue_notice", 1))},
            "step id 'a' is used 2 times",
        ),
        (
            {"steps": _steps(("late", "overdue_notice", 5), ("early", "overdue_notice", 2))},
            "step 'early' must come after 'late'",
        ),
        ({"steps": _steps(("r", "reminder", 2))}, "reminder 'r' must be on or before the due date"),
        ({"steps": _steps(("n", "overdue_notice", 0))}, "must be after the due date"),
        ({"steps": _steps(("s", "suspend", 10))}, "needs a final_warning before it"),
        ({"steps": _steps(("w", "final_warning", 10))}, "no step suspends"),
        (
            {"steps": _steps(("w", "final_warning", 12), ("s", "suspend", 15))},
            "final warning 'w' must be at least 3 days before the deadline",
        ),
        (
            {"steps": _steps(("w", "final_warning", 11), ("s", "suspend", 15), ("h1", "hand_off", 20))},
            None,
        ),
        (
            {"steps": _steps(("w", "final_warning", 5), ("s", "suspend", 10), ("s2", "suspend", 12))},
            "at most one suspend step",
        ),
        (
            {
                "steps": [
                    {"id": "w", "kind": "final_warning", "offset_days": 5},
                    {"id": "s", "kind": "suspend", "offset_days": 10, "min_amount": {"GBP": 100}},
                ]
            },
            "sets a minimum in GBP, which has no thresholds",
        ),
    ],
)
def test_a_policy_is_refused_with_every_problem_named(changes: dict[str, Any], complaint: str | None) -> None:
    text = json.dumps(_document(**changes))

    if complaint is None:
        assert load_policy(text).version == 1
        return
    with pytest.raises(InvalidInput, match="invalid dunning policy") as refused:
        load_policy(text)
    assert complaint in str(refused.value)


def test_several_problems_are_reported_together() -> None:
    malformed = json.dumps(_document(version=0, deadline_notice_days=-1))
    inconsistent = json.dumps(_document(steps=_steps(("s", "suspend", 10), ("s", "hand_off", 20))))

    with pytest.raises(InvalidInput) as malformed_refused:
        load_policy(malformed)
    with pytest.raises(InvalidInput) as inconsistent_refused:
        load_policy(inconsistent)

    assert "version" in str(malformed_refused.value)
    assert "deadline_notice_days" in str(malformed_refused.value)
    assert "step id 's' is used 2 times" in str(inconsistent_refused.value)
    assert "needs a final_warning" in str(inconsistent_refused.value)


@pytest.mark.parametrize("text", ["", "not json", "[]", '{"version": 1'])
def test_a_document_that_is_not_a_policy_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="invalid dunning policy"):
        load_policy(text)


@pytest.mark.parametrize(
    ("start", "end", "inside", "outside"),
    [
        ("21:00", "08:00", ["21:00", "23:59", "00:00", "07:59"], ["08:00", "12:00", "20:59"]),
        ("12:00", "14:00", ["12:00", "13:59"], ["11:59", "14:00", "00:00"]),
    ],
)
def test_quiet_hours_may_wrap_midnight(start: str, end: str, inside: list[str], outside: list[str]) -> None:
    policy = load_policy(json.dumps(_document(quiet_hours={"start": start, "end": end})))
    quiet = policy.quiet_hours
    assert quiet is not None

    assert all(quiet.contains(time.fromisoformat(t)) for t in inside)
    assert not any(quiet.contains(time.fromisoformat(t)) for t in outside)
