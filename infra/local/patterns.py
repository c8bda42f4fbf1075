"""Event pattern matching, as Lambda event filtering and EventBridge rules apply it."""

from __future__ import annotations

from typing import Any

from infra.local.template import TemplateError


def matches(pattern: dict[str, Any], event: Any) -> bool:
    if not isinstance(event, dict):
        return False
    for key, expected in pattern.items():
        present = key in event
        value = event.get(key)
        if isinstance(expected, dict):
            if not present or not matches(expected, value):
                return False
        elif not any(_leaf(rule, present, value) for rule in expected):
            return False
    return True


def _leaf(rule: Any, present: bool, value: Any) -> bool:  # noqa: PLR0911 - one branch per operator
    if not isinstance(rule, dict):
        if isinstance(value, list):
            return present and rule in value
        return present and value == rule
    ((operator, argument),) = rule.items()
    if operator == "exists":
        return present is bool(argument)
    if not present:
        return False
    if operator == "prefix":
        return isinstance(value, str) and value.startswith(argument)
    if operator == "suffix":
        return isinstance(value, str) and value.endswith(argument)
    if operator == "equals-ignore-case":
        return isinstance(value, str) and value.lower() == str(argument).lower()
    if operator == "anything-but":
        excluded = argument if isinstance(argument, list) else [argument]
        return value not in excluded
    if operator == "numeric":
        return _numeric(argument, value)
    raise TemplateError(f"the local stack does not match the filter operator {operator!r}")


def _numeric(conditions: list[Any], value: Any) -> bool:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    checks = {"<": number.__lt__, "<=": number.__le__, "=": number.__eq__, ">": number.__gt__, ">=": number.__ge__}
    return all(checks[op](float(bound)) for op, bound in zip(conditions[::2], conditions[1::2], strict=True))
