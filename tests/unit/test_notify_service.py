from __future__ import annotations

from typing import Any

import pytest

from ponte.domain.accounts import Contact
from ponte.domain.bodies.accounts import AccountOpened
from ponte.domain.notifications import Audience, Notification
from ponte.messages import RenderedMessage
from ponte.services.notify import deliver
from tests.support import T0


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[tuple[Notification, Any]] = []
        self.fail = fail

    def send(self, notification: Notification, message: RenderedMessage) -> None:
        if self.fail:
            raise ConnectionError("SNS is unreachable")
        self.sent.append((notification, message))

    def put(self, notification: Notification, detail: dict[str, Any]) -> None:
        self.sent.append((notification, detail))


def note(audience: Audience) -> Notification:
    body = AccountOpened(account_name="Acme", contact=Contact(name="Ana"))
    return Notification(
        notification_id="n", audience=audience, account_id="acme", locale="en", occurred_at=T0, body=body
    )


@pytest.mark.parametrize("audience", list(Audience))
def test_each_audience_goes_to_its_own_channel_only(audience: Audience) -> None:
    channels = {a: Recorder() for a in Audience}
    deliver(
        note(audience),
        staff=channels[Audience.STAFF],
        customers=channels[Audience.CUSTOMER],
        platform=channels[Audience.PLATFORM],
        time_zone="UTC",
    )
    assert {a: len(c.sent) for a, c in channels.items()} == {a: int(a is audience) for a in Audience}


def test_platform_events_carry_the_machine_payload() -> None:
    platform = Recorder()
    deliver(note(Audience.PLATFORM), staff=Recorder(), customers=Recorder(), platform=platform, time_zone="UTC")
    ((_, detail),) = platform.sent
    assert detail["event_type"] == "account.opened" and detail["data"]["account_name"] == "Acme"


def test_a_publishing_failure_propagates_so_the_trigger_retries() -> None:
    with pytest.raises(ConnectionError):
        deliver(
            note(Audience.STAFF), staff=Recorder(fail=True), customers=Recorder(), platform=Recorder(), time_zone="UTC"
        )
