"""No suspension of a customer nobody reached: the final warning must have reached the customer (accepted by the
provider and not bounced, or delivered when the policy asks for it) on some channel, the notice period ahead of the
deadline. Otherwise the suspension is withheld, staff are told what was tried, and after the notice period a new
warning goes out with a fresh deadline.

One invoice of R$ 1.500,00 due on Monday 16 November 2026, the default ladder counted in calendar days: the final
warning on 26/11 naming 30/11, the suspension on 1/12 when the warning reached the customer.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ponte.domain.accounts import AccountStatus
from ponte.domain.changes import AccountChange
from ponte.domain.ledger import DeliveryStatus, Ledger
from ponte.domain.policy import default_policy_text, load_policy
from ponte.services.collections import change_for, decide
from tests.collections_support import account, applied, invoice, local

DUE = date(2026, 11, 16)
CALENDAR = load_policy(json.dumps({**json.loads(default_policy_text()), "day_count": "calendar"}))
DELIVERED_ONLY = CALENDAR.model_copy(update={"deadline_evidence": "delivered"})
REACHED = {"accepted": True, "delivered": True, "delayed": True}


def start() -> Ledger:
    return Ledger(account=account(), invoices=(invoice("INV-1", DUE),))


def evaluate(current: Ledger, day: date, policy=CALENDAR) -> AccountChange | None:  # type: ignore[no-untyped-def]
    now = local(day, 8)
    decision = decide(current, now=now, policy=policy, time_zone="America/Sao_Paulo", holidays=frozenset())
    return change_for(current, decision, now=now, staff_locale="en", cause=f"test:{now.isoformat()}")


def run(outcome: dict[str, str], last: date, policy=CALENDAR) -> tuple[Ledger, list[tuple[date, str]]]:  # type: ignore[no-untyped-def]
    """A sweep every day; each customer notice's channels come to `outcome[channel]` (missing: nothing recorded)."""
    current, seen = start(), []
    day = date(2026, 11, 12)
    while day <= last:
        change = evaluate(current, day, policy)
        if change is not None:
            current = applied(current, change, delivered=False)
            evidence = tuple(
                DeliveryStatus(notice_id=n.notice_id, channel=n.channel, status=outcome[n.channel])
                for n in change.notices
                if n.notice_id is not None and n.channel in outcome
            )
            current = current.model_copy(update={"deliveries": (*current.deliveries, *evidence)})
            seen += [(day, n.event_type) for n in change.notifications]
            seen += [(day, f"timeline:{e.what}") for e in change.timeline]
        day += timedelta(days=1)
    return current, seen


def test_a_warning_the_provider_accepted_on_one_channel_allows_the_suspension() -> None:
    current, seen = run({"email": "bounced", "sms": "accepted"}, date(2026, 12, 2))
    assert current.account.status is AccountStatus.SUSPENDED
    assert (date(2026, 12, 1), "account.suspended") in seen


def test_a_warning_that_reached_nobody_withholds_the_suspension_and_tells_staff_what_was_tried() -> None:
    current, seen = run({"email": "bounced", "sms": "held"}, date(2026, 12, 1))
    assert current.account.status is AccountStatus.OVERDUE
    assert not [kind for _, kind in seen if kind == "account.suspended"]
    alerts = [day for day, kind in seen if kind == "timeline:collections.alert.customer_unreachable"]
    assert alerts == [date(2026, 12, 1)]


def test_a_warning_that_reached_nobody_falls_back_at_once_then_again_after_the_notice_period() -> None:
    current, seen = run({"email": "bounced", "sms": "held"}, date(2026, 12, 1))
    warnings = [day for day, kind in seen if kind == "customer.final_warning"]
    # The first one failed on every channel: once more the next day on every channel the customer has (the
    # fallback); that one failing too, the next waits for the notice period, with a fresh deadline.
    assert warnings == [date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 30)]
    named = sorted({(n.sent_at.date(), n.deadline) for n in current.notices if n.step_id == "final-warning"})
    assert named == [
        (date(2026, 11, 26), date(2026, 11, 30)),
        (date(2026, 11, 27), date(2026, 11, 30)),
        (date(2026, 11, 30), date(2026, 12, 3)),  # at least 3 days after it went out
    ]
    assert len({n.notice_id for n in current.notices if n.step_id == "final-warning"}) == 3  # each its own notice


def test_when_the_policy_asks_for_delivery_an_accepted_email_is_not_enough() -> None:
    current, _ = run({"email": "accepted"}, date(2026, 12, 1), DELIVERED_ONLY)
    assert current.account.status is AccountStatus.OVERDUE
    current, _ = run({"email": "delivered"}, date(2026, 12, 1), DELIVERED_ONLY)
    assert current.account.status is AccountStatus.SUSPENDED


STATUSES = ["accepted", "delivered", "delayed", "bounced", "complained", "refused", "held", "rejected"]


@settings(max_examples=80, deadline=None)
@given(
    email=st.sampled_from([*STATUSES, None]),
    sms=st.sampled_from([*STATUSES, None]),
    evidence=st.sampled_from(["accepted", "delivered"]),
    days=st.integers(min_value=15, max_value=40),
)
def test_no_account_is_suspended_unless_a_warning_naming_its_deadline_reached_it_in_time(
    email: str | None, sms: str | None, evidence: str, days: int
) -> None:
    policy = CALENDAR if evidence == "accepted" else DELIVERED_ONLY
    outcome = {channel: status for channel, status in (("email", email), ("sms", sms)) if status is not None}
    current, seen = run(outcome, DUE + timedelta(days=days), policy)
    if current.account.status is not AccountStatus.SUSPENDED:
        return
    suspended_on = next(day for day, kind in seen if kind == "account.suspended")
    reached = {"accepted": {"accepted", "delivered", "delayed"}, "delivered": {"delivered"}}[evidence]
    named = [
        n
        for n in current.notices
        if n.deadline is not None
        and n.deadline < suspended_on
        and n.sent_at.date() + timedelta(days=policy.deadline_notice_days) <= n.deadline
        and outcome.get(n.channel) in reached
    ]
    assert named, (outcome, evidence, suspended_on)


def test_a_step_goes_out_only_on_the_channels_the_policy_gives_it() -> None:
    document = json.loads(default_policy_text())
    for step in document["steps"]:
        if step["kind"] in {"reminder", "overdue_notice"}:
            step["channels"] = ["email"]  # reminders by e-mail only; the final warning by both
    policy = load_policy(json.dumps({**document, "day_count": "calendar"}))
    current, _ = run({"email": "accepted", "sms": "accepted"}, date(2026, 11, 27), policy)
    by_step = {(n.step_id, n.channel) for n in current.notices}
    assert ("overdue-1", "email") in by_step and ("overdue-1", "sms") not in by_step
    assert {("final-warning", "email"), ("final-warning", "sms")} <= by_step


def test_a_warning_no_allowed_channel_can_carry_falls_back_to_the_channel_the_customer_has() -> None:
    document = json.loads(default_policy_text())
    for step in document["steps"]:
        step["channels"] = ["sms"]
    policy = load_policy(json.dumps({**document, "day_count": "calendar"}))
    no_phone = account().model_copy(update={"contact": account().contact.model_copy(update={"phone": None})})
    current = Ledger(account=no_phone, invoices=(invoice("INV-1", DUE),))
    suspended_on = None
    for offset in range(0, 25):
        day = date(2026, 11, 12) + timedelta(days=offset)
        change = evaluate(current, day, policy)
        if change is not None:
            current = applied(current, change)  # what went out by e-mail is accepted; nothing goes by SMS
            if change.account.status is AccountStatus.SUSPENDED and suspended_on is None:
                suspended_on = day
    warnings = [n for n in current.notices if n.step_id == "final-warning"]
    assert [(n.sent_at.date(), n.channel) for n in warnings] == [
        (date(2026, 11, 26), "notice"),  # SMS only, and no phone: it reached nobody
        (date(2026, 11, 27), "email"),  # the fallback, by the e-mail the customer has
    ]
    fallback = warnings[-1]
    assert fallback.deadline is not None and fallback.deadline >= date(2026, 11, 30)
    assert suspended_on is not None and suspended_on > fallback.deadline


def test_a_notice_held_whole_counts_as_held_on_every_channel() -> None:
    ledger = start().model_copy(
        update={"deliveries": (DeliveryStatus(notice_id="n-1", channel="held", status="held"),)}
    )
    assert ledger.delivery_evidence() == {"n-1": {"held": "held", "email": "held", "sms": "held"}}
