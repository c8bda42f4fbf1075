"""Bodies about accounts themselves."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from ponte.domain.accounts import Contact


class Body(BaseModel):
    model_config = ConfigDict(frozen=True)


class AccountOpened(Body):
    """A new account exists: sales and onboarding start delivery."""

    kind: Literal["account.opened"] = "account.opened"
    account_name: str
    contact: Contact
    owner: str | None = None


class CustomerWelcome(Body):
    """The customer is told their account exists and who to talk to."""

    kind: Literal["customer.welcome"] = "customer.welcome"
    customer_name: str
