"""Function settings from the environment: validated once, on first use, with the variable named on failure.

Each function's settings are one model (`ponte.functions.<name>.Settings`), made of the groups below where functions
share variables, so that a variable means the same and is checked the same in every function that reads it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, Field, ValidationError

from ponte.domain.accounts import Locale
from ponte.domain.errors import PonteError


class ConfigurationError(PonteError):
    """The function's environment is missing a variable or holds an invalid one."""


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{value!r} is not an IANA time zone") from exc
    return value


TimeZoneName = Annotated[str, AfterValidator(_time_zone)]


class TableSettings(BaseModel):
    """What every function reads: the table, and the locale of what it writes for staff."""

    TABLE_NAME: str
    DEFAULT_LOCALE: Locale


class BusinessSettings(TableSettings):
    """The business's calendar and collections policy, for the functions that decide on an account's standing."""

    BUSINESS_TIME_ZONE: TimeZoneName
    BUSINESS_COUNTRY: str
    POLICY_PARAMETER: str


class DirectorySettings(BaseModel):
    """The staff directory's parameter. Empty: no directory (team members unknown, owners kept as named)."""

    STAFF_DIRECTORY_PARAMETER: str = ""


class WakeupSettings(BaseModel):
    """The one-time schedules that run the sweep sooner than its daily run."""

    WAKEUP_SCHEDULE_GROUP: str
    WAKEUP_TARGET_ARN: str
    WAKEUP_ROLE_ARN: str


class EscalationSettings(BaseModel):
    ALERT_ESCALATION_MINUTES: int = Field(ge=0)  # 0: critical alerts never escalate


def load_settings[T: BaseModel](model: type[T], environ: Mapping[str, str] | None = None) -> T:
    """Validate `model` from the environment. Field names are the variables' names."""
    source = os.environ if environ is None else environ
    try:
        return model.model_validate({name: source[name] for name in model.model_fields if name in source})
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"])
            problems.append(
                f"environment variable {name} is missing"
                if error["type"] == "missing"
                else f"environment variable {name} is invalid: {error['msg']}"
            )
        raise ConfigurationError("; ".join(problems)) from None
