"""The local stack's own logic: schedules, filters and intrinsics (no emulator needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from infra.local.patterns import matches
from infra.local.schedules import fire_times
from infra.local.template import Pseudo, Resolver, TemplateError, parameter_values, references

START = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)  # a Sunday


def test_daily_cron_fires_at_local_time() -> None:
    times = fire_times("cron(0 8 * * ? *)", "America/Sao_Paulo", START, START, START + timedelta(days=3))
    assert times == [datetime(2026, 11, d, 11, 0, tzinfo=UTC) for d in (1, 2, 3)]  # 08:00 at UTC-3


def test_weekday_cron_uses_aws_day_numbers() -> None:
    times = fire_times("cron(30 9 ? * MON-FRI *)", "UTC", START, START, START + timedelta(days=7))
    assert [t.strftime("%a %H:%M") for t in times] == [f"{d} 09:30" for d in ("Mon", "Tue", "Wed", "Thu", "Fri")]
    assert fire_times("cron(0 0 ? * 1 *)", "UTC", START, START - timedelta(minutes=1), START) == [START]  # 1 = Sunday


def test_rate_counts_from_the_stack_start_and_at_fires_once() -> None:
    assert len(fire_times("rate(6 hours)", "UTC", START, START, START + timedelta(days=1))) == 4
    at = fire_times("at(2026-11-01T10:00:00)", "America/Sao_Paulo", START, START, START + timedelta(days=2))
    assert at == [datetime(2026, 11, 1, 13, 0, tzinfo=UTC)]


def test_an_unsupported_cron_is_refused() -> None:
    with pytest.raises(TemplateError):
        fire_times("cron(0 8 ? * 2#1 *)", "UTC", START, START, START + timedelta(days=1))


def test_lambda_event_filter_on_a_stream_record() -> None:
    pattern = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"kind": {"S": ["outbox"]}}}}
    record = {"eventName": "INSERT", "dynamodb": {"NewImage": {"kind": {"S": "outbox"}}}}
    assert matches(pattern, record)
    assert not matches(pattern, {**record, "eventName": "MODIFY"})
    assert not matches(pattern, {"eventName": "INSERT", "dynamodb": {"NewImage": {"kind": {"S": "account"}}}})


@pytest.mark.parametrize(
    ("rule", "value", "expected"),
    [
        ({"prefix": "inc"}, "incoming/a.csv", True),
        ({"suffix": ".csv"}, "a.xml", False),
        ({"anything-but": ["x"]}, "y", True),
        ({"numeric": [">", 1, "<=", 5]}, 5, True),
        ({"numeric": [">", 1]}, "abc", False),
        ({"equals-ignore-case": "ABC"}, "abc", True),
    ],
)
def test_filter_operators(rule: dict[str, object], value: object, expected: bool) -> None:
    assert matches({"key": [rule]}, {"key": value}) is expected


def test_exists_operator() -> None:
    assert matches({"a": [{"exists": False}]}, {"b": 1})
    assert not matches({"a": [{"exists": True}]}, {"b": 1})


def test_intrinsics_resolve_against_parameters_and_resources() -> None:
    template = {"Parameters": {"Stage": {"Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"]}}}
    resolver = Resolver(
        parameters=parameter_values(template, {"Stage": "prod"}),
        conditions={"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
        pseudo=Pseudo(),
        refs={"Topic": "arn:topic"},
        attributes={"Queue": {"Arn": "arn:queue"}},
    )
    value = {
        "A": {"Fn::Sub": "${AWS::StackName}-${Stage}-${Queue.Arn}"},
        "B": {"Fn::If": ["IsProd", {"Ref": "Topic"}, {"Ref": "AWS::NoValue"}]},
        "C": {"Fn::Join": ["/", ["x", {"Fn::Select": [1, {"Fn::Split": [",", "a,b"]}]}]]},
    }
    assert resolver.resolve(value) == {"A": "ponte-local-prod-arn:queue", "B": "arn:topic", "C": "x/b"}
    assert references(value) == {"Queue", "Topic", "AWS::StackName", "AWS::NoValue", "Stage"}


def test_parameters_are_checked_like_cloudformation_does() -> None:
    template = {"Parameters": {"Phone": {"Type": "String", "Default": "", "AllowedPattern": r"^$|^\+[0-9]+$"}}}
    with pytest.raises(TemplateError, match="does not match"):
        parameter_values(template, {"Phone": "12345"})
    with pytest.raises(TemplateError, match="unknown template parameters: Nope"):
        parameter_values(template, {"Nope": "x"})
