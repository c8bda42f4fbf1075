"""When schedules fire: EventBridge `cron(...)`, `rate(...)` and `at(...)` expressions in a time zone."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from infra.local.template import TemplateError

_MONTHS = {name: i for i, name in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), start=1)}
_DAYS = {name: i for i, name in enumerate("SUN MON TUE WED THU FRI SAT".split(), start=1)}  # AWS: 1 = Sunday
_RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int] | None:
    """The values a cron field allows; None for `*` and `?` (anything)."""
    if text in {"*", "?"}:
        return None
    values: set[int] = set()
    for part in text.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if span == "*":
            first, last = low, high
        elif "-" in span:
            first, last = (_value(bound, names) for bound in span.split("-"))
        else:
            first = _value(span, names)
            last = high if step > 1 else first
        if not low <= first <= last <= high:
            raise TemplateError(f"cron field {text!r} is out of range")
        values.update(range(first, last + 1, step))
    return values


def _value(text: str, names: dict[str, int] | None) -> int:
    if names and text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise TemplateError(f"the local stack does not evaluate the cron value {text!r}")
    return int(text)


def _cron_times(fields: list[str], zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    if len(fields) != 6:
        raise TemplateError("a cron expression has six fields: minutes hours day-of-month month day-of-week year")
    minutes = _field(fields[0], 0, 59) or set(range(60))
    hours = _field(fields[1], 0, 23) or set(range(24))
    last_day = fields[2] == "L"
    days = None if last_day else _field(fields[2], 1, 31)
    months = _field(fields[3], 1, 12, _MONTHS)
    weekdays = _field(fields[4], 1, 7, _DAYS)
    years = _field(fields[5], 1970, 2199)
    times = []
    day = start.astimezone(zone).date()
    while day <= end.astimezone(zone).date():
        if _day_matches(day, days=days, last_day=last_day, months=months, weekdays=weekdays, years=years):
            for hour in sorted(hours):
                for minute in sorted(minutes):
                    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(UTC)
                    if start < moment <= end:
                        times.append(moment)
        day += timedelta(days=1)
    return times


def _day_matches(
    day: date,
    *,
    days: set[int] | None,
    last_day: bool,
    months: set[int] | None,
    weekdays: set[int] | None,
    years: set[int] | None,
) -> bool:
    aws_weekday = (day.isoweekday() % 7) + 1  # Monday=1..Sunday=7 -> Sunday=1..Saturday=7
    return (
        (months is None or day.month in months)
        and (years is None or day.year in years)
        and (days is None or day.day in days)
        and (not last_day or day.day == calendar.monthrange(day.year, day.month)[1])
        and (weekdays is None or aws_weekday in weekdays)
    )


def fire_times(expression: str, time_zone: str, anchor: datetime, start: datetime, end: datetime) -> list[datetime]:
    """The moments in (start, end] at which `expression` fires; `rate` counts from `anchor` (the stack's start)."""
    zone = ZoneInfo(time_zone)
    match = re.fullmatch(r"(cron|rate|at)\((.+)\)", expression.strip())
    if not match:
        raise TemplateError(f"not a schedule expression: {expression!r}")
    kind, body = match.groups()
    if kind == "cron":
        return _cron_times(body.split(), zone, start, end)
    if kind == "rate":
        amount, unit = body.split()
        period = timedelta(seconds=int(amount) * _RATE_UNITS[unit])
        times = []
        moment = anchor + period
        while moment <= end:
            if moment > start:
                times.append(moment)
            moment += period
        return times
    moment = datetime.fromisoformat(body).replace(tzinfo=zone).astimezone(UTC)
    return [moment] if start < moment <= end else []


def one_time(expression: str, time_zone: str) -> datetime | None:
    """When a one-time schedule (`at(...)`) fires, in UTC; None for a recurring one."""
    match = re.fullmatch(r"at\((.+)\)", expression.strip())
    if not match:
        return None
    return datetime.fromisoformat(match.group(1)).replace(tzinfo=ZoneInfo(time_zone)).astimezone(UTC)
