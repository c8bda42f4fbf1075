"""Bodies about accounts themselves."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from ponte.domain.accounts import Contact


class Body(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


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


class AccountsMerged(Body):
    """Two accounts turned out to be one customer (the same tax id arrived later): merged into one, nobody else
    told (a merge never sends a customer notice)."""

    kind: Literal["account.merged"] = "account.merged"
    account_name: str
    absorbed_name: str
    absorbed_id: str
    invoices: int
    payments: int


class AccountsNotMerged(Body):
    """Two accounts look like one customer, but could not be merged on their own: staff decide."""

    kind: Literal["account.merge_refused"] = "account.merge_refused"
    account_name: str
    other_name: str
    other_id: str
    reason: Literal["different_tax_ids", "too_many_records"]
