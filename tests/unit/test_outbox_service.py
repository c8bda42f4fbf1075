"""The outbox loses nothing: what cannot go out now (a failing channel, quiet hours, an earlier notification still
waiting) is parked whole, goes out later in the order it happened, and after a day of failures is dead-lettered and
redriven, never delivered twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from ponte.domain.accounts import Contact
from ponte.domain.bodies.accounts import AccountOpened, CustomerWelcome
from ponte.domain.notifications import Audience, Notification
from ponte.domain.policy import QuietHours
from ponte.services.outbox import (
    BEHIND_EARLIER,
    GIVE_UP_AFTER,
    QUIET_HOURS,
    RETRY_DELAYS,
    OutboxPorts,
    OutboxRecord,
    OutboxResult,
    Parked,
    RedriveResult,
    deliver_outbox,
    redrive,
)
from tests.support import T0

SAO_PAULO = "America/Sao_Paulo"
LOCAL = ZoneInfo(SAO_PAULO)


class ClientError(Exception):
    """Shaped like botocore's: the code in `response`, a message that may quote a customer's address."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.response = {"Error": {"Code": code, "Message": message}}


class FakeParking:
    """The table as the adapter keeps it: parked notifications by key, the outbox items the sweep writes and which
    of them are published. The stream hands an outbox item to the notifier only when it is new (its filter passes
    inserts only); rewriting an existing item clears its published mark, as a put does."""

    def __init__(self) -> None:
        self.parked: dict[str, Parked] = {}
        self.released: set[str] = set()  # parked keys out of the due index until settled or parked again
        self.outbox: set[str] = set()
        self.published_keys: set[str] = set()
        self.stream: list[OutboxRecord] = []

    def write(self, *notifications: Notification) -> list[OutboxRecord]:
        """A change writes its notifications to the outbox; the stream hands them over."""
        records = [OutboxRecord(outbox_key=f"OUTBOX#{n.notification_id}", notification=n) for n in notifications]
        self.outbox.update(record.outbox_key for record in records)
        return records

    def published(self, records: Sequence[OutboxRecord]) -> set[str]:
        return {record.outbox_key for record in records if record.outbox_key in self.published_keys}

    def mark_published(self, record: OutboxRecord, at: datetime) -> None:
        if record.outbox_key in self.outbox:
            self.published_keys.add(record.outbox_key)

    def earliest_waiting(self, account_id: str, audience: Audience) -> str | None:
        prefix = f"PARKED#{audience.value}#"
        keys = [
            key
            for key, parked in self.parked.items()
            if key.startswith(prefix) and parked.notification.account_id == account_id
        ]
        return min(keys, default=None)

    def park(self, parked: Parked) -> None:
        self.parked[parked.key] = parked
        self.released.discard(parked.key)

    def waiting_behind(self, parked: Parked) -> list[Parked]:
        account_id, prefix = parked.notification.account_id, f"PARKED#{parked.notification.audience.value}#"
        return [
            self.parked[key]
            for key in sorted(self.parked)
            if key.startswith(prefix) and key > parked.key and self.parked[key].notification.account_id == account_id
        ]

    def settle(self, parked: Parked) -> None:
        self.parked.pop(parked.key, None)
        self.released.discard(parked.key)

    def park_new(self, parked: Parked) -> bool:
        if parked.key in self.parked:
            return False
        self.park(parked)
        return True

    def release_due(self, now: datetime) -> int:
        due = [parked for key, parked in self.parked.items() if key not in self.released and parked.due_at <= now]
        for parked in sorted(due, key=lambda found: (found.notification.account_id, found.key)):
            again = replace(parked, releases=parked.releases + 1)
            self.parked[again.key] = again
            self.released.add(again.key)
            outbox_key = f"OUTBOX#{again.notification.notification_id}#{again.releases}"
            if outbox_key not in self.outbox:  # an insert: the stream hands it over
                self.stream.append(OutboxRecord(outbox_key=outbox_key, notification=again.notification, released=again))
            self.outbox.add(outbox_key)
            self.published_keys.discard(outbox_key)
        return len(due)

    def handed_over(self) -> list[OutboxRecord]:
        records, self.stream = self.stream, []
        return records


class FakeDeadLetters:
    """The dead-letter queue: keeps each notification whole until a redrive deletes it."""

    def __init__(self, *, lose_deletes: bool = False) -> None:
        self.letters: dict[str, Parked] = {}
        self.sent: list[tuple[Parked, datetime]] = []
        self.lose_deletes = lose_deletes

    def send(self, parked: Parked, *, at: datetime) -> None:
        self.sent.append((parked, at))
        self.letters[f"handle-{len(self.sent)}"] = parked

    def drain(self, *, limit: int = 1000) -> list[tuple[Parked, str]]:
        return [(parked, handle) for handle, parked in self.letters.items()][:limit]

    def delete(self, receipt_handle: str) -> None:
        if not self.lose_deletes:
            del self.letters[receipt_handle]


class FakeWakeups:
    def __init__(self, fail: Exception | None = None) -> None:
        self.moments: list[datetime] = []
        self.fail = fail

    def wake_at(self, moment: datetime) -> None:
        if self.fail is not None:
            raise self.fail
        self.moments.append(moment)


class Channels:
    """Where notifications reach people; refuses what `down` says, with `error`."""

    def __init__(self) -> None:
        self.received: list[tuple[Notification, datetime]] = []
        self.now = T0
        self.down: Callable[[Notification], bool] = lambda notification: False
        self.error: Exception = ConnectionError("SNS is unreachable")

    def deliver(self, notification: Notification) -> None:
        if self.down(notification):
            raise self.error
        self.received.append((notification, self.now))

    def ids(self) -> list[str]:
        return [notification.notification_id for notification, _ in self.received]


class Notifier:
    """The notifier and the sweep around `deliver_outbox`, on fakes, with a simulated clock."""

    def __init__(self, *, quiet: QuietHours | None = None, wakeups: FakeWakeups | None = None) -> None:
        self.parking = FakeParking()
        self.dead_letters = FakeDeadLetters()
        self.wakeups = wakeups or FakeWakeups()
        self.channels = Channels()
        self.ports = OutboxPorts(
            parking=self.parking,
            dead_letters=self.dead_letters,
            wakeups=self.wakeups,
            quiet_hours=lambda: quiet,
            time_zone=SAO_PAULO,
        )

    def handle(self, records: Sequence[OutboxRecord], now: datetime) -> OutboxResult:
        self.channels.now = now
        return deliver_outbox(records, self.channels.deliver, self.ports, now=now)

    def write(self, *notifications: Notification, now: datetime) -> OutboxResult:
        return self.handle(self.parking.write(*notifications), now)

    def sweep(self, now: datetime) -> OutboxResult:
        self.parking.release_due(now)
        return self.handle(self.parking.handed_over(), now)

    def run_wakeups(self, since: datetime, *, for_at_most: timedelta = timedelta(days=3)) -> datetime:
        """Run the sweep at every wake-up asked for, as the Scheduler would, until nothing is parked; when it ends."""
        now = since
        while self.parking.parked:
            upcoming = [moment for moment in self.wakeups.moments if moment > now]
            assert upcoming, "something is parked with no wake-up to release it"
            now = min(upcoming)
            assert now - since < for_at_most, "still parked"
            self.sweep(now)
        return now


def note(
    account_id: str = "acme",
    audience: Audience = Audience.STAFF,
    n: int = 1,
    occurred_at: datetime = T0,
) -> Notification:
    body = (
        CustomerWelcome(customer_name="Ana Lima")
        if audience is Audience.CUSTOMER
        else AccountOpened(account_name="Acme", contact=Contact(name="Ana"))
    )
    return Notification(
        notification_id=f"{account_id}-{audience.value}-{n}",
        audience=audience,
        account_id=account_id,
        locale="pt-BR",
        occurred_at=occurred_at,
        body=body,
    )


def test_a_notification_goes_out_at_once_and_a_batch_handed_over_again_sends_nothing_more() -> None:
    notifier = Notifier()
    records = notifier.parking.write(note())

    first = notifier.handle(records, T0)
    again = notifier.handle(records, T0 + timedelta(seconds=30))

    assert first.delivered == [note()] and first.parked == [] and first.skipped == 0
    assert again.delivered == [] and again.skipped == 1
    assert notifier.channels.ids() == ["acme-staff-1"]
    assert notifier.parking.parked == {} and notifier.wakeups.moments == []


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (ClientError("Throttling", "Rate exceeded for ana@cliente.example"), "ClientError:Throttling"),
        (ConnectionError("could not reach sns.sa-east-1.amazonaws.com for ana@cliente.example"), "ConnectionError"),
    ],
)
def test_a_failed_delivery_is_parked_whole_with_its_reason_and_retried_on_the_schedule(
    error: Exception, reason: str
) -> None:
    notifier = Notifier()
    notifier.channels.down = lambda notification: True
    notifier.channels.error = error

    result = notifier.write(note(), now=T0)

    (parked,) = result.parked
    assert result.delivered == [] and notifier.channels.received == []
    assert (parked.notification, parked.reason, parked.attempts) == (note(), reason, 1)
    assert "ana@" not in parked.reason  # the reason never quotes the message
    assert parked.due_at == T0 + RETRY_DELAYS[0] and parked.first_failed_at == T0
    assert notifier.parking.parked == {parked.key: parked}
    assert notifier.wakeups.moments == [T0 + RETRY_DELAYS[0]]

    # Given the sweep releases it when due and the channel still fails
    retry = parked.due_at
    second = notifier.sweep(retry)

    (again,) = second.parked
    assert (again.reason, again.attempts, again.first_failed_at) == (reason, 2, T0)
    assert again.due_at == retry + RETRY_DELAYS[1]
    assert notifier.wakeups.moments[-1] == retry + RETRY_DELAYS[1]

    # When it is released again and the channel is back
    notifier.channels.down = lambda notification: False
    third = notifier.sweep(again.due_at)

    assert third.delivered == [note()] and third.parked == []
    assert notifier.channels.ids() == ["acme-staff-1"]
    assert notifier.parking.parked == {}  # settled
    assert notifier.sweep(again.due_at + timedelta(hours=1)).delivered == []


def test_a_released_notification_handed_to_the_notifier_directly_is_retried_and_settled() -> None:
    notifier = Notifier()
    notifier.channels.down = lambda notification: True
    (parked,) = notifier.write(note(), now=T0).parked

    later = T0 + RETRY_DELAYS[0]
    release = OutboxRecord(outbox_key="OUTBOX#acme-staff-1#1", notification=note(), released=parked)
    (again,) = notifier.handle([release], later).parked
    assert (again.attempts, again.due_at) == (2, later + RETRY_DELAYS[1])

    notifier.channels.down = lambda notification: False
    release = OutboxRecord(outbox_key="OUTBOX#acme-staff-1#2", notification=note(), released=again)
    delivered = notifier.handle([release], again.due_at).delivered

    assert delivered == [note()] and notifier.parking.parked == {}


def test_after_a_day_of_failures_it_is_dead_lettered_whole_and_settled() -> None:
    notifier = Notifier()
    notifier.channels.down = lambda notification: True
    notifier.channels.error = ClientError("InternalError", "failed for ana@cliente.example")
    notifier.write(note(), now=T0)

    ended = notifier.run_wakeups(T0)

    ((letter, at),) = notifier.dead_letters.sent
    assert letter.notification == note()  # the whole notification, to be redriven
    assert (letter.reason, letter.first_failed_at) == ("ClientError:InternalError", T0)
    assert at == ended and GIVE_UP_AFTER <= at - T0 < GIVE_UP_AFTER + RETRY_DELAYS[-1]
    assert letter.attempts >= len(RETRY_DELAYS)
    assert notifier.parking.parked == {} and notifier.channels.received == []
    assert notifier.sweep(at + timedelta(days=1)).dead_lettered == []  # nothing more from it


def outage_notifications() -> list[Notification]:
    return [
        note("acme", Audience.STAFF, 1),
        note("acme", Audience.STAFF, 2, occurred_at=T0 + timedelta(seconds=1)),
        note("acme", Audience.PLATFORM, 1),
        note("acme", Audience.CUSTOMER, 1),
        note("bolt", Audience.STAFF, 1),
    ]


def test_nothing_is_lost_or_sent_twice_across_a_six_hour_outage() -> None:
    notifier = Notifier()
    outage_end = T0 + timedelta(hours=6)
    notifier.channels.down = lambda notification: notifier.channels.now < outage_end

    notifier.write(*outage_notifications(), now=T0)
    notifier.run_wakeups(T0)

    ids = notifier.channels.ids()
    assert Counter(ids) == {n.notification_id: 1 for n in outage_notifications()}
    assert all(at >= outage_end for _, at in notifier.channels.received)
    assert ids.index("acme-staff-1") < ids.index("acme-staff-2")  # in the order they happened
    assert notifier.dead_letters.sent == [] and notifier.parking.parked == {}


def test_a_thirty_hour_outage_dead_letters_once_and_a_redrive_delivers_once() -> None:
    notifier = Notifier()
    outage_end = T0 + timedelta(hours=30)
    notifier.channels.down = lambda notification: notifier.channels.now < outage_end
    notes = [note("acme", Audience.STAFF), note("bolt", Audience.PLATFORM)]

    notifier.write(*notes, now=T0)
    notifier.run_wakeups(T0)

    assert sorted(p.notification.notification_id for p, _ in notifier.dead_letters.sent) == [
        "acme-staff-1",
        "bolt-platform-1",
    ]
    assert notifier.channels.received == [] and notifier.parking.parked == {}

    # When an operator redrives after the outage, twice
    after = outage_end + timedelta(hours=1)
    first = redrive(notifier.dead_letters, notifier.parking, now=after)
    delivered = notifier.handle(notifier.parking.handed_over(), after).delivered
    second = redrive(notifier.dead_letters, notifier.parking, now=after + timedelta(minutes=5))
    notifier.handle(notifier.parking.handed_over(), after + timedelta(minutes=5))

    assert first == RedriveResult(redriven=2, already_parked=0, released=2)
    assert sorted(n.notification_id for n in delivered) == ["acme-staff-1", "bolt-platform-1"]
    assert second == RedriveResult(redriven=0, already_parked=0, released=0)
    assert Counter(notifier.channels.ids()) == {"acme-staff-1": 1, "bolt-platform-1": 1}
    assert notifier.parking.parked == {} and notifier.dead_letters.letters == {}


def test_a_redrive_run_again_before_the_first_went_out_parks_nothing_twice() -> None:
    notifier = Notifier()
    notifier.dead_letters = FakeDeadLetters(lose_deletes=True)  # the first run's deletes not seen yet
    notifier.ports.dead_letters = notifier.dead_letters
    notifier.channels.down = lambda notification: True
    notifier.write(note(), now=T0)
    notifier.run_wakeups(T0)
    notifier.channels.down = lambda notification: False

    after = T0 + timedelta(days=2)
    first = redrive(notifier.dead_letters, notifier.parking, now=after)
    second = redrive(notifier.dead_letters, notifier.parking, now=after)
    notifier.handle(notifier.parking.handed_over(), after)

    assert (first.redriven, second.redriven, second.already_parked, second.released) == (1, 0, 1, 0)
    assert notifier.channels.ids() == ["acme-staff-1"]


QUIET = QuietHours(start=time(21), end=time(8))


def test_customer_notices_wait_out_quiet_hours_and_go_in_order_while_staff_alerts_do_not() -> None:
    notifier = Notifier(quiet=QUIET)
    evening = datetime(2026, 11, 2, 22, 0, tzinfo=LOCAL)
    late = datetime(2026, 11, 2, 23, 30, tzinfo=LOCAL)
    dawn = datetime(2026, 11, 3, 7, 59, tzinfo=LOCAL)
    eight = datetime(2026, 11, 3, 8, 0, tzinfo=LOCAL)
    first, second, third = (
        note("acme", Audience.CUSTOMER, n, occurred_at=at) for n, at in enumerate((evening, late, dawn), 1)
    )
    staff = note("acme", Audience.STAFF, 1, occurred_at=evening)

    at_evening = notifier.write(first, staff, now=evening)
    at_late = notifier.write(second, now=late)
    at_dawn = notifier.write(third, now=dawn)

    assert at_evening.delivered == [staff]  # staff alerts never wait
    held = [*at_evening.parked, *at_late.parked, *at_dawn.parked]
    assert [p.notification for p in held] == [first, second, third]
    assert {(p.reason, p.due_at) for p in held} == {(QUIET_HOURS, eight)}
    assert eight in notifier.wakeups.moments
    assert notifier.sweep(dawn).delivered == []  # not yet

    at_eight = notifier.sweep(eight)

    assert at_eight.delivered == [first, second, third]  # in the order they occurred
    assert notifier.channels.ids() == ["acme-staff-1", "acme-customer-1", "acme-customer-2", "acme-customer-3"]
    assert all(at == eight for n, at in notifier.channels.received if n.audience is Audience.CUSTOMER)
    assert notifier.parking.parked == {}


def test_a_customer_notice_out_of_quiet_hours_goes_at_once() -> None:
    notifier = Notifier(quiet=QUIET)
    morning = datetime(2026, 11, 3, 8, 0, tzinfo=LOCAL)

    assert notifier.write(note(audience=Audience.CUSTOMER), now=morning).delivered == [note(audience=Audience.CUSTOMER)]


def test_a_later_notification_waits_behind_an_earlier_one_still_parked_and_follows_it() -> None:
    notifier = Notifier()
    earlier = note("acme", Audience.STAFF, 1)
    later = note("acme", Audience.STAFF, 2, occurred_at=T0 + timedelta(seconds=1))
    latest = note("acme", Audience.STAFF, 3, occurred_at=T0 + timedelta(seconds=40))
    other_account = note("bolt", Audience.STAFF, 1)
    other_audience = note("acme", Audience.PLATFORM, 1)
    notifier.channels.down = lambda notification: notification == earlier

    batch = notifier.write(earlier, later, other_account, other_audience, now=T0)
    next_batch = notifier.write(latest, now=T0 + timedelta(minutes=1))

    assert batch.delivered == [other_account, other_audience]
    assert [(p.notification, p.reason) for p in batch.parked] == [
        (earlier, "ConnectionError"),
        (later, BEHIND_EARLIER),
    ]
    assert [(p.notification, p.reason) for p in next_batch.parked] == [(latest, BEHIND_EARLIER)]
    assert [p.attempts for p in [*batch.parked, *next_batch.parked]] == [1, 0, 0]  # waiting is not failing

    # When the channel is back: the earlier one goes out at its retry, and each behind it follows at once
    notifier.channels.down = lambda notification: False
    released = notifier.sweep(T0 + timedelta(minutes=10))
    assert released.delivered == [earlier]
    done = notifier.run_wakeups(T0 + timedelta(minutes=10))

    assert done <= T0 + timedelta(minutes=12)  # a minute each, not an hour each (`WAIT_BEHIND`)
    assert notifier.channels.ids() == [
        "bolt-staff-1",
        "acme-platform-1",
        "acme-staff-1",
        "acme-staff-2",
        "acme-staff-3",
    ]
    assert notifier.parking.parked == {}


def test_a_later_notification_released_before_the_earlier_one_keeps_waiting() -> None:
    notifier = Notifier()
    earlier = note("acme", Audience.STAFF, 1)
    later = note("acme", Audience.STAFF, 2, occurred_at=T0 + timedelta(minutes=7))
    notifier.channels.down = lambda notification: notification == earlier
    notifier.write(earlier, now=T0)
    notifier.sweep(T0 + timedelta(minutes=1))
    notifier.sweep(T0 + timedelta(minutes=6))  # the third failure: due again at minute 21
    notifier.write(later, now=T0 + timedelta(minutes=7))  # due to look again by itself an hour later, at minute 67
    notifier.sweep(T0 + timedelta(minutes=21))  # the earlier's fourth failure: due again at minute 51
    notifier.sweep(T0 + timedelta(minutes=51))  # its fifth: due again at minute 111

    waiting = notifier.sweep(T0 + timedelta(minutes=67))

    assert waiting.delivered == [] and [(p.notification, p.reason) for p in waiting.parked] == [(later, BEHIND_EARLIER)]
    notifier.channels.down = lambda notification: False
    notifier.run_wakeups(T0 + timedelta(minutes=67))
    assert notifier.channels.ids() == ["acme-staff-1", "acme-staff-2"]


def test_a_notice_stamped_in_local_time_still_waits_behind_an_earlier_one_stamped_in_utc() -> None:
    notifier = Notifier()
    earlier = note("acme", Audience.STAFF, 1, occurred_at=T0)  # 12:00 UTC
    later = note("acme", Audience.STAFF, 2, occurred_at=datetime(2026, 11, 2, 9, 30, tzinfo=LOCAL))  # 12:30 UTC
    notifier.channels.down = lambda notification: notification == earlier
    notifier.write(earlier, now=T0)

    result = notifier.write(later, now=T0 + timedelta(minutes=30))

    assert result.delivered == [] and [p.reason for p in result.parked] == [BEHIND_EARLIER]


def test_a_wakeup_that_cannot_be_scheduled_does_not_fail_the_batch() -> None:
    wakeups = FakeWakeups(fail=ClientError("ServiceQuotaExceededException", "too many schedules"))
    notifier = Notifier(wakeups=wakeups)
    notifier.channels.down = lambda notification: notification.account_id == "acme"

    result = notifier.write(note("acme"), note("bolt"), now=T0)

    assert result.wakeups_failed == ["ClientError:ServiceQuotaExceededException"]
    assert result.delivered == [note("bolt")]
    assert [p.notification for p in result.parked] == [note("acme")]
    assert list(notifier.parking.parked.values()) == result.parked  # kept for the daily sweep


def test_a_batch_handed_over_again_after_a_record_was_parked_sends_it_once() -> None:
    notifier = Notifier()
    records = notifier.parking.write(note())
    notifier.channels.down = lambda notification: True
    notifier.handle(records, T0)  # parked; then the stream hands the batch over again (another record failed)
    notifier.channels.down = lambda notification: False

    notifier.handle(records, T0 + timedelta(seconds=20))
    notifier.run_wakeups(T0 + timedelta(seconds=20))

    assert notifier.channels.ids() == ["acme-staff-1"]
