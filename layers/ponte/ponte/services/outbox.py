"""Deliver the outbox, losing nothing: what cannot go out now is parked whole and goes out later, in order.

The notifier hands each new outbox item here. An item goes out at once unless:
- it is a customer message in the business's quiet hours: parked until they end (staff alerts never wait);
- an earlier notification of the same account to the same audience is still parked: it waits behind it, so a
  customer never reads "reactivated" before "suspended", nor does the business's platform;
- delivering it fails (an SNS, SES or EventBridge outage, a throttle, a bug): parked with the reason and retried on
  a backoff schedule (`RETRY_DELAYS`) for at least `GIVE_UP_AFTER`, then dead-lettered with the whole notification
  (`DeadLetters`), and with what waits behind it, from where `redrive` brings them back in order.

A parked notification is an item of its own with the notification's full content (`Parking`), not a pointer into
the stream, so nothing depends on the stream's 24 hours or the outbox's TTL. When it is due, the sweep releases it
as a new outbox item (`Parking.release_due`), and it comes back here through the stream; a one-time schedule
(`Wakeups`) runs the sweep at that moment. Each outbox item is marked published once it was delivered, parked or
dead-lettered, so a batch the stream hands over again skips it: a notification goes out twice only when its send
succeeded and the mark was lost (the window `test_outbox_durability` measures).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from ponte.domain.notifications import Audience, Notification

if TYPE_CHECKING:
    from ponte.domain.policy import QuietHours

# After the n-th failed attempt, the next one comes RETRY_DELAYS[n-1] later (the last delay repeats).
RETRY_DELAYS: tuple[timedelta, ...] = tuple(timedelta(minutes=minutes) for minutes in (1, 5, 15, 30, 60, 120, 240, 360))
GIVE_UP_AFTER = timedelta(hours=24)
# How soon a notification waiting behind an earlier one looks again by itself: the earlier one, once it goes out,
# makes the next one due at once (`_next_may_go`); this is only for a nudge that was lost.
WAIT_BEHIND = timedelta(hours=1)

QUIET_HOURS = "quiet_hours"
BEHIND_EARLIER = "behind_earlier"
REDRIVEN = "redriven"
WAITING_REASONS = frozenset({QUIET_HOURS, BEHIND_EARLIER})  # waiting, not failing


@dataclass(frozen=True)
class Parked:
    """A notification that did not go out when it was written, with why and when it is due again."""

    notification: Notification
    reason: str
    due_at: datetime
    attempts: int = 0  # failed attempts so far (quiet hours and waiting are not failures)
    first_failed_at: datetime | None = None
    releases: int = 0  # how many times it was released to the outbox

    @property
    def key(self) -> str:
        return parked_key(self.notification)


def parked_key(notification: Notification) -> str:
    """Sorts a partition's parked notifications per audience, oldest first (the order they go out in)."""
    occurred = notification.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"PARKED#{notification.audience.value}#{occurred}#{notification.notification_id}"


@dataclass(frozen=True)
class OutboxRecord:
    """One outbox item from the stream: its key, the notification, and what it was parked as when it is a release."""

    outbox_key: str
    notification: Notification
    released: Parked | None = None


class Parking(Protocol):
    def published(self, records: Sequence[OutboxRecord]) -> set[str]:
        """The outbox keys among these already marked published."""

    def mark_published(self, record: OutboxRecord, at: datetime) -> None:
        """Mark the outbox item published (nothing when it is gone)."""

    def earliest_waiting(self, account_id: str, audience: Audience) -> str | None:
        """The key of the account's oldest parked notification to this audience, if any."""

    def park(self, parked: Parked) -> None:
        """Keep the notification whole, due again at `parked.due_at` (replacing what was parked under its key)."""

    def waiting_behind(self, parked: Parked) -> list[Parked]:
        """The account's notifications parked to the same audience after this one, oldest first."""

    def settle(self, parked: Parked) -> None:
        """The parked notification went out (or was dead-lettered): forget it."""


class DeadLetters(Protocol):
    def send(self, parked: Parked, *, at: datetime) -> None:
        """Keep the whole notification where an operator finds it and an alarm watches."""


class Wakeups(Protocol):
    def wake_at(self, moment: datetime) -> None:
        """Have the sweep run at `moment` (rounded up to the minute), to release what is due then."""


@dataclass
class OutboxPorts:
    parking: Parking
    dead_letters: DeadLetters
    wakeups: Wakeups
    quiet_hours: Callable[[], QuietHours | None]
    time_zone: str


@dataclass
class OutboxResult:
    delivered: list[Notification] = field(default_factory=list)
    parked: list[Parked] = field(default_factory=list)
    dead_lettered: list[Parked] = field(default_factory=list)
    skipped: int = 0  # already published
    wakeups_failed: list[str] = field(default_factory=list)


def deliver_outbox(
    records: Sequence[OutboxRecord],
    deliver: Callable[[Notification], None],
    ports: OutboxPorts,
    *,
    now: datetime,
) -> OutboxResult:
    """Deliver, park or dead-letter each record, in order (see the module's docstring). Raises only when parking
    itself fails: the stream then retries the batch, and what was published is skipped."""
    result = OutboxResult()
    published = ports.parking.published(records) if records else set()
    waiting: dict[tuple[str, Audience], str | None] = {}
    wakeups: set[datetime] = set()
    for record in records:
        if record.outbox_key in published:
            result.skipped += 1
            continue
        notification, released = record.notification, record.released
        if _in_other_hands(notification, released, ports, waiting):
            result.skipped += 1
            continue
        try:
            # The quiet hours are read here too: a policy that cannot be read now parks the notice, as a failure.
            parked = _hold(notification, released, ports, waiting, now)
            if parked is None:
                deliver(notification)
        except Exception as error:  # noqa: BLE001 - any failure is parked and retried; nothing is lost
            parked = _failed(notification, released, error, now)
        if parked is None:
            if released is not None:
                ports.parking.settle(released)
                waiting.pop((notification.account_id, notification.audience), None)  # look again
                _next_may_go(released, ports, now, wakeups)
            ports.parking.mark_published(record, now)
            result.delivered.append(notification)
            continue
        slot = (notification.account_id, notification.audience)
        if parked.first_failed_at is not None and now - parked.first_failed_at >= GIVE_UP_AFTER:
            # What waits behind it may not go before it: it is dead-lettered with it, and the redrive brings them
            # back in their order. The head is settled last, so that a batch failing halfway finds it again.
            behind = ports.parking.waiting_behind(parked)
            for letter in (parked, *behind):
                ports.dead_letters.send(letter, at=now)
            for letter in (*behind, parked):
                ports.parking.settle(letter)
            ports.parking.mark_published(record, now)  # settled: never from this outbox item again
            waiting.pop(slot, None)
            result.dead_lettered += [parked, *behind]
            continue
        ports.parking.park(parked)
        # Its parked copy carries it on: this outbox item, handed over again (a retried batch, a replay of the
        # stream), must not send it as well once that copy went out.
        ports.parking.mark_published(record, now)
        earliest = waiting.get(slot)
        waiting[slot] = parked.key if earliest is None else min(earliest, parked.key)
        wakeups.add(parked.due_at)
        result.parked.append(parked)
    for moment in sorted(wakeups):
        try:
            ports.wakeups.wake_at(moment)
        except Exception as error:  # noqa: BLE001 - the daily sweep releases what is due anyway
            result.wakeups_failed.append(failure_reason(error))
    return result


class DeadLetterSource(Protocol):
    def drain(self, *, limit: int = 1000) -> list[tuple[Parked, str]]:
        """The dead letters, each with the handle that deletes it."""

    def delete(self, receipt_handle: str) -> None:
        """Forget a dead letter that is parked again."""


class Release(Protocol):
    def park_new(self, parked: Parked) -> bool:
        """Park unless already parked; whether it was parked now."""

    def release_due(self, now: datetime) -> int:
        """Release what is due by `now` to the outbox; how many."""


@dataclass(frozen=True)
class RedriveResult:
    redriven: int
    already_parked: int
    released: int


def redrive(dead_letters: DeadLetterSource, parking: Release, *, now: datetime, limit: int = 1000) -> RedriveResult:
    """Bring dead-lettered notifications back: each is parked again as due now, with a fresh day of retries, and
    released to the outbox at once. Running it twice parks nothing twice (a notification still parked is left as
    it is), and the customer's receipts keep a notice from reaching them twice."""
    redriven = already = 0
    for parked, handle in dead_letters.drain(limit=limit):
        # `releases` keeps counting: it numbers the release's outbox item, and an item written again under an old
        # number is a modify, which the stream's filter (inserts only) never hands to the notifier.
        again = replace(parked, reason=REDRIVEN, due_at=now, attempts=0, first_failed_at=None)
        if parking.park_new(again):
            redriven += 1
        else:
            already += 1
        dead_letters.delete(handle)
    released = parking.release_due(now)
    return RedriveResult(redriven=redriven, already_parked=already, released=released)


def _hold(
    notification: Notification,
    released: Parked | None,
    ports: OutboxPorts,
    waiting: dict[tuple[str, Audience], str | None],
    now: datetime,
) -> Parked | None:
    """Why this notification may not go out now, as what to park it as; None when it may."""
    base = released or Parked(notification=notification, reason="", due_at=now)
    if notification.audience is Audience.CUSTOMER:
        quiet = ports.quiet_hours()
        if quiet is not None:
            local = now.astimezone(ZoneInfo(ports.time_zone))
            if quiet.contains(local.time()):
                return replace(base, reason=QUIET_HOURS, due_at=quiet.end_after(local))
    earliest = _earliest(notification, ports, waiting)
    if earliest is not None and earliest < base.key:
        return replace(base, reason=BEHIND_EARLIER, due_at=now + WAIT_BEHIND)
    return None


def _next_may_go(gone: Parked, ports: OutboxPorts, now: datetime, wakeups: set[datetime]) -> None:
    """A parked notification went out: the one waiting behind it (to the same account and audience) is due now,
    rather than when it would look again by itself (`WAIT_BEHIND`)."""
    behind = ports.parking.waiting_behind(gone)
    if behind and behind[0].reason == BEHIND_EARLIER and behind[0].due_at > now:
        ports.parking.park(replace(behind[0], due_at=now))
        wakeups.add(now + _SOON)  # a one-time schedule must be asked for the future


_SOON = timedelta(minutes=1)


def _in_other_hands(
    notification: Notification,
    released: Parked | None,
    ports: OutboxPorts,
    waiting: dict[tuple[str, Audience], str | None],
) -> bool:
    """Whether this record's notification is already taken care of: for an outbox item written by a change, it is
    parked (the batch handed over again after it was parked, before it was marked); for a release, its parked copy
    is gone (it went out from another release, or to the dead letters with the one it waited behind)."""
    earliest = _earliest(notification, ports, waiting)
    if released is None:
        return earliest == parked_key(notification)
    return earliest is None or earliest > released.key


def _earliest(
    notification: Notification, ports: OutboxPorts, waiting: dict[tuple[str, Audience], str | None]
) -> str | None:
    """The key of the account's oldest parked notification to this audience (read once a batch, then kept)."""
    slot = (notification.account_id, notification.audience)
    if slot not in waiting:
        waiting[slot] = ports.parking.earliest_waiting(*slot)
    return waiting[slot]


def _failed(notification: Notification, released: Parked | None, error: Exception, now: datetime) -> Parked:
    base = released or Parked(notification=notification, reason="", due_at=now)
    attempts = base.attempts + 1
    delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
    return replace(
        base,
        reason=failure_reason(error),
        attempts=attempts,
        first_failed_at=base.first_failed_at or now,
        due_at=now + delay,
    )


def failure_reason(error: Exception) -> str:
    """The error's class and code, never its message (which may quote an address or a payload)."""
    code = getattr(error, "code", None)
    response = getattr(error, "response", None)
    if code is None and isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
    return f"{type(error).__name__}:{code}" if code else type(error).__name__
