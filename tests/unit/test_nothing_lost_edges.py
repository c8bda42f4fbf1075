"""Nothing lost, at its edges: an outbox item or a release the stream hands over again after its notification was
parked and went out, a notification that waited behind one dead-lettered, and the policy's quiet hours unreadable
for a moment."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from ponte.domain.notifications import Audience
from ponte.services.outbox import BEHIND_EARLIER, GIVE_UP_AFTER, RETRY_DELAYS, redrive
from tests.support import T0
from tests.unit.test_outbox_service import QUIET, ClientError, Notifier, note


def test_an_outbox_item_handed_over_again_after_its_parked_copy_went_out_sends_nothing_more() -> None:
    # Given a notification that failed and was parked, then went out from its parked copy
    notifier = Notifier()
    records = notifier.parking.write(note())
    notifier.channels.down = lambda notification: True
    notifier.handle(records, T0)
    notifier.channels.down = lambda notification: False
    assert notifier.sweep(T0 + RETRY_DELAYS[0]).delivered == [note()]

    # When the stream hands the first batch over again (a retry that came late, a replay from NotifierFailureQueue)
    again = notifier.handle(records, T0 + timedelta(minutes=3))

    assert again.delivered == [] and again.parked == []
    assert notifier.channels.ids() == ["acme-staff-1"]


def test_a_release_handed_over_again_after_a_later_release_went_out_sends_nothing_more() -> None:
    notifier = Notifier()
    notifier.channels.down = lambda notification: True
    notifier.write(note(), now=T0)
    notifier.parking.release_due(T0 + RETRY_DELAYS[0])
    first_release = notifier.parking.handed_over()
    (parked,) = notifier.handle(first_release, T0 + RETRY_DELAYS[0]).parked  # failed again
    notifier.channels.down = lambda notification: False
    assert notifier.sweep(parked.due_at).delivered == [note()]  # the second release went out

    again = notifier.handle(first_release, parked.due_at + timedelta(minutes=2))

    assert again.delivered == [] and notifier.channels.ids() == ["acme-staff-1"]
    assert notifier.parking.parked == {}


def test_what_waited_behind_a_dead_lettered_notification_goes_with_it_and_comes_back_after_it() -> None:
    # Given an outage of 30 hours, and two notifications of the same account to the same audience
    notifier = Notifier()
    outage_end = T0 + timedelta(hours=30)
    notifier.channels.down = lambda notification: notifier.channels.now < outage_end
    suspended = note("acme", Audience.CUSTOMER, 1)
    reactivated = note("acme", Audience.CUSTOMER, 2, occurred_at=T0 + timedelta(seconds=1))

    notifier.write(suspended, reactivated, now=T0)
    notifier.run_wakeups(T0)

    # The first is dead-lettered after a day of failures; the second, which waited behind it, goes with it
    letters = [letter for letter, _ in notifier.dead_letters.sent]
    assert [letter.notification for letter in letters] == [suspended, reactivated]
    assert letters[1].reason == BEHIND_EARLIER
    assert notifier.channels.received == [] and notifier.parking.parked == {}

    # When the operator redrives after the outage, they go out once each, in the order they happened
    after = outage_end + timedelta(hours=1)
    redrive(notifier.dead_letters, notifier.parking, now=after)
    notifier.handle(notifier.parking.handed_over(), after)
    notifier.run_wakeups(after)

    assert notifier.channels.ids() == ["acme-customer-1", "acme-customer-2"]


def test_a_waiting_notification_released_with_the_one_dead_lettered_before_it_is_not_sent() -> None:
    notifier = Notifier()
    head, follower = note(n=1), note(n=2, occurred_at=T0 + timedelta(seconds=1))
    notifier.channels.down = lambda notification: notification == head
    notifier.write(head, follower, now=T0)

    # A day later one sweep releases both: the first fails once more and is dead-lettered
    result = notifier.sweep(T0 + GIVE_UP_AFTER + timedelta(minutes=10))

    assert result.delivered == [] and notifier.channels.received == []
    assert [letter.notification for letter in result.dead_lettered] == [head, follower]
    assert notifier.parking.parked == {}

    notifier.channels.down = lambda notification: False
    later = T0 + GIVE_UP_AFTER + timedelta(hours=2)
    redrive(notifier.dead_letters, notifier.parking, now=later)
    notifier.handle(notifier.parking.handed_over(), later)
    notifier.run_wakeups(later)
    assert notifier.channels.ids() == ["acme-staff-1", "acme-staff-2"]
    assert Counter(notifier.channels.ids()) == {"acme-staff-1": 1, "acme-staff-2": 1}


def test_a_customer_notice_is_parked_while_the_quiet_hours_cannot_be_read_and_the_batch_goes_on() -> None:
    notifier = Notifier()

    def unreadable() -> None:
        raise ClientError("ThrottlingException", "Rate exceeded")

    notifier.ports.quiet_hours = unreadable
    customer, staff = note(audience=Audience.CUSTOMER), note(audience=Audience.STAFF)

    result = notifier.write(customer, staff, now=T0)

    assert result.delivered == [staff]  # staff alerts never wait
    (parked,) = result.parked
    assert (parked.notification, parked.reason, parked.attempts) == (customer, "ClientError:ThrottlingException", 1)

    # When the policy can be read again (09:01 in São Paulo: not quiet), the notice goes out at its retry
    notifier.ports.quiet_hours = lambda: QUIET
    notifier.run_wakeups(T0)
    assert notifier.channels.ids() == ["acme-staff-1", "acme-customer-1"]
