from __future__ import annotations

from typing import Any

import pytest

from ponte.domain.accounts import Contact
from ponte.domain.bodies.accounts import AccountOpened
from ponte.domain.notifications import Audience, Notification
from ponte.domain.staff import StaffDirectory
from ponte.messages import RenderedMessage
from ponte.services.delivery import CustomerDelivery
from ponte.services.notify import deliver
from ponte.services.staff_delivery import StaffDelivery, staff_names
from tests.staff_support import directory
from tests.support import T0
from tests.unit.test_delivery_service import IDENTITY, Contacts, Mail, Receipts, Texts


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


def customers(mail: Mail) -> CustomerDelivery:
    return CustomerDelivery(
        email=mail,
        sms=Texts(),
        identity=lambda: IDENTITY,
        contacts=Contacts({"acme": Contact(name="Ana", email="ana@acme.example")}),
        receipts=Receipts(),
        staff=lambda alert: None,
    )


@pytest.mark.parametrize("audience", list(Audience))
def test_each_audience_goes_to_its_own_channel_only(audience: Audience) -> None:
    staff, feed, platform, mail = Recorder(), Recorder(), Recorder(), Mail()
    deliver(
        note(audience),
        staff=staff,
        customers=customers(mail),
        feed=feed,
        platform=platform,
        time_zone="UTC",
        now=T0,
    )
    reached = {
        "staff": len(staff.sent),
        "customer e-mail": len(mail.sent),
        "feed": len(feed.sent),
        "platform": len(platform.sent),
    }
    expected = {
        Audience.STAFF: {"staff": 1, "customer e-mail": 0, "feed": 0, "platform": 0},
        Audience.CUSTOMER: {"staff": 0, "customer e-mail": 1, "feed": 1, "platform": 0},
        Audience.PLATFORM: {"staff": 0, "customer e-mail": 0, "feed": 0, "platform": 1},
    }[audience]
    assert reached == expected


def test_platform_events_carry_the_machine_payload() -> None:
    platform = Recorder()
    deliver(
        note(Audience.PLATFORM),
        staff=Recorder(),
        customers=customers(Mail()),
        feed=None,
        platform=platform,
        time_zone="UTC",
        now=T0,
    )
    ((_, detail),) = platform.sent
    assert detail["event_type"] == "account.opened" and detail["data"]["account_name"] == "Acme"


def test_a_publishing_failure_propagates_so_the_trigger_retries() -> None:
    with pytest.raises(ConnectionError):
        deliver(
            note(Audience.STAFF),
            staff=Recorder(fail=True),
            customers=customers(Mail()),
            feed=None,
            platform=Recorder(),
            time_zone="UTC",
            now=T0,
        )


def owned_alert(owner: str) -> Notification:
    body = AccountOpened(account_name="Acme", contact=Contact(name="Ana"), owner=owner)
    return Notification(
        notification_id="n",
        audience=Audience.STAFF,
        account_id="acme",
        owner=owner,
        locale="pt-BR",
        occurred_at=T0,
        body=body,
    )


@pytest.mark.parametrize(
    ("owner", "staff_directory", "shown"),
    [
        ("ana", directory(), "Responsável: Ana Souza"),  # the directory names her
        ("zeca", directory(), "Responsável: zeca"),  # someone it does not know: as the account holds them
        ("ana", None, "Responsável: ana"),  # no directory set up yet
    ],
)
def test_staff_read_the_owners_name_as_the_directory_has_it(
    owner: str, staff_directory: StaffDirectory | None, shown: str
) -> None:
    staff = Recorder()
    owners = StaffDelivery(directory=lambda: staff_directory, email=Mail(), sms=Texts(), receipts=Receipts())
    deliver(
        owned_alert(owner),
        staff=staff,
        customers=customers(Mail()),
        feed=None,
        platform=Recorder(),
        time_zone="UTC",
        now=T0,
        owners=owners,
    )
    ((_, message),) = staff.sent
    assert shown in message.email
    assert message.machine["owner"] == owner, "machines keep the id"
    assert isinstance(owners.email, Mail)
    in_person = [str(mail["text"]) for mail in owners.email.sent]
    if staff_directory is None:
        assert in_person == []
    else:  # Ana herself, or the admin (Carla) for someone the directory does not know: the same words
        (text,) = in_person
        assert shown in text


def test_a_directory_that_cannot_be_read_now_never_holds_an_alert_back() -> None:
    def failing() -> StaffDirectory | None:
        raise ConnectionError("the parameter store is unreachable")

    assert staff_names(failing) == {}
