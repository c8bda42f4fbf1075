"""An alert addressed to an account's owner reaches that person: in their language, by e-mail (and SMS when it is
critical), their manager while they are away, the admins when nobody knows them; once per person and channel."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ponte.domain.accounts import Contact
from ponte.domain.bodies.accounts import AccountOpened
from ponte.domain.errors import DeliveryRefused, DeliveryUnavailable, InvalidInput
from ponte.domain.notifications import Audience, Notification, Severity, Team
from ponte.domain.staff import StaffDirectory
from ponte.services.staff_delivery import StaffDelivery, deliver_to_owner
from tests.staff_support import directory, person, with_people
from tests.support import T0
from tests.unit.test_delivery_service import Mail, Receipts, Texts

TZ = "America/Sao_Paulo"
STAFF = directory()


def alert(
    owner: str | None = "ana", severity: Severity = Severity.INFO, audience: Audience = Audience.STAFF
) -> Notification:
    return Notification(
        notification_id="n-1",
        audience=audience,
        severity=severity,
        team=Team.SALES if audience is Audience.STAFF else None,
        account_id="padaria",
        owner=owner,
        locale="pt-BR",
        occurred_at=T0,
        body=AccountOpened(account_name="Padaria Estrela", contact=Contact(name="João"), owner=owner),
    )


class World:
    def __init__(
        self, staff: StaffDirectory | None = STAFF, *, mail: Mail | None = None, sms: Texts | None = None
    ) -> None:
        self.mail = mail or Mail()
        self.sms = sms or Texts()
        self.receipts = Receipts()
        self.ports = StaffDelivery(directory=lambda: staff, email=self.mail, sms=self.sms, receipts=self.receipts)

    def deliver(self, notification: Notification):  # type: ignore[no-untyped-def]
        return deliver_to_owner(notification, self.ports, time_zone=TZ, now=T0 + timedelta(minutes=1))


def test_the_owner_gets_the_alert_by_e_mail_in_their_language_and_a_receipt_per_send() -> None:
    world = World()

    done = world.deliver(alert(owner="bia"))

    assert (done.routed, done.people) == ("owner", ("bia",))
    (mail,) = world.mail.sent
    assert mail["to"] == "bia@equipe.example" and mail["subject"] == "Nueva cuenta: Padaria Estrela"
    assert str(mail["text"]).startswith("Se abrió una nueva cuenta") and mail["html"] == ""
    assert mail["tags"] == {"notice_id": "n-1", "account_id": "padaria", "kind": "account.opened", "audience": "staff"}
    assert world.sms.sent == []  # not critical: no SMS
    assert [(r.channel, r.status, r.message_id) for r in done.receipts] == [("staff-email:bia", "accepted", "ses-1")]
    assert set(world.receipts.kept) == {("padaria", "n-1", "staff-email:bia")}


def test_a_critical_alert_also_goes_by_sms_to_an_owner_with_a_phone() -> None:
    world = World()

    done = world.deliver(alert(owner="ana", severity=Severity.CRITICAL))

    assert [r.channel for r in done.receipts] == ["staff-email:ana", "staff-sms:ana"]
    (sms,) = world.sms.sent
    assert sms["to"] == "+5511987654321" and str(sms["text"]).startswith("Ponte: nova conta Padaria Estrela")


def test_a_critical_alert_to_an_owner_without_a_phone_goes_by_e_mail_only() -> None:
    world = World()

    done = world.deliver(alert(owner="caio", severity=Severity.CRITICAL))

    assert [r.channel for r in done.receipts] == ["staff-email:caio"] and world.sms.sent == []


def test_an_inactive_owners_alert_goes_to_their_manager_saying_why() -> None:
    world = World(with_people(person("ana", "Ana Souza", active=False, manager="carla")))

    done = world.deliver(alert(owner="ana", severity=Severity.CRITICAL))

    assert (done.routed, done.people) == ("manager", ("carla",))
    (mail,) = world.mail.sent
    assert mail["to"] == "carla@equipe.example"
    assert str(mail["text"]).startswith(
        "Você recebe este alerta porque Ana Souza, responsável pela conta, está inativo(a) no diretório.\n\n"
    )
    assert [r.channel for r in done.receipts] == ["staff-email:carla", "staff-sms:carla"]


def test_an_owner_the_directory_does_not_know_reaches_the_admins() -> None:
    world = World(with_people(person("davi", "Davi Rocha", locale="en"), admins=["carla", "davi"]))

    done = world.deliver(alert(owner="vendas"))

    assert (done.routed, done.people) == ("unknown_owner", ("carla", "davi"))
    assert [m["to"] for m in world.mail.sent] == ["carla@equipe.example", "davi@equipe.example"]
    assert str(world.mail.sent[1]["subject"]) == "New account: Padaria Estrela"
    assert str(world.mail.sent[1]["text"]).startswith(
        "You receive this alert because the account's owner, vendas, is not in the staff directory."
    )


@pytest.mark.parametrize(
    ("notification", "staff", "routed"),
    [
        (alert(owner=None), STAFF, "no_owner"),
        (alert(audience=Audience.PLATFORM), STAFF, "not_staff"),
        (alert(), None, "no_directory"),
    ],
)
def test_nothing_goes_out_in_person_without_an_owner_a_staff_alert_or_a_directory(
    notification: Notification, staff: StaffDirectory | None, routed: str
) -> None:
    world = World(staff)

    done = world.deliver(notification)

    assert (done.routed, done.people, done.receipts) == (routed, (), ())
    assert world.mail.sent == [] and world.receipts.kept == {}


def test_a_directory_that_was_never_valid_sends_nothing_and_raises_nothing() -> None:
    def broken() -> StaffDirectory | None:
        raise InvalidInput("no version of /ponte/staff is valid")

    world = World()
    ports = StaffDelivery(directory=broken, email=world.mail, sms=world.sms, receipts=world.receipts)

    assert deliver_to_owner(alert(), ports, time_zone=TZ, now=T0).routed == "directory_invalid"
    assert world.mail.sent == []


def test_the_same_alert_again_sends_nothing_twice() -> None:
    world = World()
    world.deliver(alert(severity=Severity.CRITICAL))

    again = world.deliver(alert(severity=Severity.CRITICAL))

    assert again.receipts == () and len(world.mail.sent) == 1 and len(world.sms.sent) == 1


def test_a_provider_that_cannot_take_the_sms_now_is_retried_without_sending_the_e_mail_again() -> None:
    world = World(sms=Texts(fail=DeliveryUnavailable("throttled")))
    with pytest.raises(DeliveryUnavailable):
        world.deliver(alert(severity=Severity.CRITICAL))
    assert len(world.mail.sent) == 1

    world.sms.fail = None
    retried = world.deliver(alert(severity=Severity.CRITICAL))

    assert [r.channel for r in retried.receipts] == ["staff-sms:ana"] and len(world.mail.sent) == 1


def test_an_address_refused_for_good_is_recorded_not_retried_and_the_sms_still_goes() -> None:
    world = World(mail=Mail(fail=DeliveryRefused("the address is on the suppression list")))

    done = world.deliver(alert(severity=Severity.CRITICAL))

    assert [(r.channel, r.status) for r in done.receipts] == [
        ("staff-email:ana", "refused"),
        ("staff-sms:ana", "accepted"),
    ]
    assert done.receipts[0].reason == "the address is on the suppression list"
    assert world.deliver(alert(severity=Severity.CRITICAL)).receipts == ()
