"""Builders for the dunning tests: one account, its invoices and the ladder's record, in São Paulo time."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from ponte.domain.accounts import Account, AccountStatus, Contact
from ponte.domain.dunning import Decision, Holds, Receivable, SentNotice, evaluate
from ponte.domain.money import Money
from ponte.domain.policy import Policy, default_policy_text, load_policy

TZ = "America/Sao_Paulo"
ZONE = ZoneInfo(TZ)
NO_HOLIDAYS: frozenset[date] = frozenset()


def policy(**changes: Any) -> Policy:
    """The default policy counted in calendar days (easier to read in tests), with `changes` applied."""
    document = json.loads(default_policy_text())
    document.update({"day_count": "calendar", **changes})
    return load_policy(json.dumps(document))


CALENDAR = policy()


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """A local moment in the business's time zone."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


def account(status: AccountStatus = AccountStatus.ACTIVE, version: int = 3) -> Account:
    return Account(
        account_id="acc-1",
        name="Padaria Pão Quente",
        status=status,
        owner="ana",
        locale="pt-BR",
        contact=Contact(name="João"),
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
        version=version,
    )


def invoice(
    invoice_id: str,
    due: date,
    amount: int = 150_000,
    outstanding: int | None = None,
    currency: str = "BRL",
    *,
    disputed: bool = False,
) -> Receivable:
    return Receivable(
        invoice_id=invoice_id,
        label=f"NF-{invoice_id}",
        due_date=due,
        amount_due=Money(amount=amount, currency=currency),
        outstanding=Money(amount=amount if outstanding is None else outstanding, currency=currency),
        disputed=disputed,
    )


def sent(step_id: str, when: datetime, deadline: date | None = None, channel: str = "email") -> SentNotice:
    return SentNotice(step_id=step_id, sent_at=when, channel=channel, deadline=deadline)


def decide(
    now: datetime,
    receivables: Sequence[Receivable],
    *,
    notices: Sequence[SentNotice] = (),
    status: AccountStatus = AccountStatus.ACTIVE,
    holds: Holds | None = None,
    rules: Policy = CALENDAR,
    holidays: frozenset[date] = NO_HOLIDAYS,
) -> Decision:
    return evaluate(
        account(status),
        receivables,
        holds or Holds(),
        notices,
        now=now,
        policy=rules,
        time_zone=TZ,
        holidays=holidays,
    )


def summary(decision: Decision) -> list[tuple[str, str | None]]:
    """The actions as (kind, step) pairs, the way a reader of the timeline sees them."""
    return [(action.kind, getattr(action, "step_id", None)) for action in decision.actions]
