"""Function settings from the environment: validated once, on first use, with the variable named on failure."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ValidationError

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
