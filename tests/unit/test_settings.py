import pytest
from pydantic import BaseModel

from ponte.settings import ConfigurationError, TimeZoneName, load_settings


class Example(BaseModel):
    TOPIC_ARN: str
    BUSINESS_TIME_ZONE: TimeZoneName


def test_settings_come_from_the_environment() -> None:
    settings = load_settings(Example, {"TOPIC_ARN": "arn:x", "BUSINESS_TIME_ZONE": "America/Sao_Paulo", "OTHER": "x"})
    assert settings.TOPIC_ARN == "arn:x"


def test_a_missing_variable_is_named() -> None:
    with pytest.raises(ConfigurationError, match="environment variable TOPIC_ARN is missing"):
        load_settings(Example, {"BUSINESS_TIME_ZONE": "UTC"})


def test_an_invalid_variable_is_named_with_the_reason() -> None:
    with pytest.raises(ConfigurationError, match=r"BUSINESS_TIME_ZONE is invalid: .*not an IANA time zone"):
        load_settings(Example, {"TOPIC_ARN": "arn:x", "BUSINESS_TIME_ZONE": "Mars/Olympus"})
