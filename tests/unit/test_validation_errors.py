"""A model that validates outside input never quotes the input in its error: errors reach logs and reports."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from ponte.domain.accounts import Account, Contact
from ponte.domain.events import CustomerRef
from ponte.domain.invoices import Party
from ponte.domain.money import Money

SECRET = "Maria Sigilosa"


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (Contact, {"name": SECRET, "email": f"{SECRET}@not an address"}),
        (Contact, {"name": SECRET * 50}),
        (Account, {"account_id": "a", "name": SECRET * 50, "contact": {"name": SECRET}}),
        (CustomerRef, {"name": SECRET, "email": f"{SECRET} at example"}),
        (Party, {"name": SECRET * 50}),
        (Money, {"amount": SECRET, "currency": "BRL"}),
    ],
)
def test_an_invalid_value_is_named_by_its_field_never_quoted(model: type[BaseModel], data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as refused:
        model.model_validate(data)
    assert SECRET not in str(refused.value)
    assert refused.value.errors()[0]["loc"]
