"""A critical alert its owner does not acknowledge in time reaches the owner's manager, once: the rule, who receives
it, what they read, and the sweep's decision on the in-memory fake of the pending escalations."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import pytest

from ponte.domain.accounts import Contact, TimelineEntry
from ponte.domain.bodies.accounts import AccountOpened
from ponte.domain.bodies.collections import CollectionsAlert
from ponte.domain.bodies.delivery import CustomerUnreachable
from ponte.domain.bodies.payments import ChargebackOpenedAlert
from ponte.domain.bodies.staff import AlertEscalated
from ponte.domain.escalation import DueEscalation, PendingEscalation, Settled, escalating_subject, pending_for
from ponte.domain.money import Money
from ponte.domain.notifications import Audience, Notification, NotificationBody, Severity, Team
from ponte.messages import render
from ponte.messages.text import SMS_SEPTETS, septets
from ponte.services.escalation import EscalationSchedule, escalate_due, schedule_escalation
from ponte.services.notify import deliver
from ponte.services.staff_delivery import OwnerDelivery, StaffDelivery, deliver_to_owner
from tests.collections_support import COLLECTION_BODIES
from tests.staff_support import directory, person, with_people
from tests.support import T0
from tests.unit.test_delivery_service import Mail, Receipts, Texts
from tests.unit.test_notify_service import Recorder, customers

TZ = "America/Sao_Paulo"
SENT = T0 + timedelta(minutes=1)  # 09:01 in São Paulo
SUSPENDED = COLLECTION_BODIES["account.suspended"]


def alert(
    body: NotificationBody = SUSPENDED,  # type: ignore[assignment]
    *,
    owner: str | None = "ana",
    audience: Audience = Audience.STAFF,
    notification_id: str = "alert-1",
) -> Notification:
    return Notification(
        notification_id=notification_id,
        audience=audience,
        severity=Severity.CRITICAL,
        team=Team.COLLECTIONS,
        account_id="padaria",
        owner=owner,
        locale="pt-BR",
        occurred_at=T0,
        body=body,
    )


@dataclass
class Pending:
    """The `PendingEscalations` port in memory, conditional as the table is: a settled escalation is never settled
    or escalated again."""

    accounts: dict[str, str] = field(default_factory=lambda: {"padaria": "Padaria Estrela"})
    acknowledged: set[tuple[str, str]] = field(default_factory=set)
    waiting: dict[tuple[str, str], PendingEscalation] = field(default_factory=dict)
    settled: dict[tuple[str, str], Settled] = field(default_factory=dict)
    outbox: list[Notification] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)

    def add(self, pending: PendingEscalation) -> bool:
        key = (pending.account_id, pending.alert_id)
        if key in self.waiting:
            return False
        self.waiting[key] = pending
        return True

    def due(self, now: datetime) -> list[DueEscalation]:
        return [
            DueEscalation(p, (p.account_id, p.alert_id) in self.acknowledged, self.accounts.get(p.account_id))
            for key, p in sorted(self.waiting.items(), key=lambda item: item[1].due_at)
            if key not in self.settled and p.due_at <= now
        ]

    def settle(self, due: DueEscalation, outcome: Settled, now: datetime) -> bool:
        key = (due.pending.account_id, due.pending.alert_id)
        if key in self.settled:
            return False
        self.settled[key] = outcome
        return True

    def escalate(self, due: DueEscalation, alert: Notification, entry: TimelineEntry, now: datetime) -> bool:
        if not self.settle(due, "escalated", now):
            return False
        self.outbox.append(alert)
        self.timeline.append(entry)
        return True


@dataclass
class World:
    pending: Pending = field(default_factory=Pending)
    wakeups: list[datetime] = field(default_factory=list)
    minutes: int = 60

    @property
    def schedule(self) -> EscalationSchedule:
        return EscalationSchedule(pending=self.pending, wake_at=self.wakeups.append, minutes=self.minutes)

    def delivered(self, notification: Notification, routed: str = "owner", at: datetime = SENT) -> None:
        reached = OwnerDelivery(routed, ("ana",), owner_name="Ana Souza")  # type: ignore[arg-type]
        schedule_escalation(notification, reached, self.schedule, now=at)

    def sweep(self, at: datetime):  # type: ignore[no-untyped-def]
        return escalate_due(self.pending, now=at, locale="pt-BR")


# The rule: which alerts escalate.


@pytest.mark.parametrize(
    ("body", "subject"),
    [
        (SUSPENDED, "account_suspended"),
        (
            ChargebackOpenedAlert(
                provider="stripe", provider_event="e", customer_name="Padaria", amount=Money(amount=1, currency="BRL")
            ),
            "chargeback_opened",
        ),
        (CustomerUnreachable(reason="bounced", notice="customer.final_warning"), "customer_unreachable"),
        (CollectionsAlert(reason="customer_unreachable", detail="final notice reached no one"), "customer_unreachable"),
        (CollectionsAlert(reason="promise_lapsed", detail="promise lapsed"), None),
        (AccountOpened(account_name="Padaria", contact=Contact(name="João")), None),
    ],
)
def test_suspension_chargeback_and_an_unreachable_customer_escalate_nothing_else(
    body: NotificationBody, subject: str | None
) -> None:
    assert escalating_subject(alert(body)) == subject


def test_an_alert_without_an_owner_or_not_to_staff_never_escalates_nor_does_an_escalation() -> None:
    assert escalating_subject(alert(owner=None)) is None
    assert escalating_subject(alert(audience=Audience.PLATFORM)) is None
    escalation = AlertEscalated(
        alert_id="a",
        alert_kind="account.suspended",
        subject="account_suspended",
        account_name="P",
        owner_name="A",
        sent_at=SENT,
        minutes=60,
    )
    assert escalating_subject(alert(escalation)) is None


def test_the_escalation_is_due_the_configured_minutes_after_the_alert_reached_the_owner_and_0_turns_it_off() -> None:
    pending = pending_for(alert(), owner_name="Ana Souza", sent_at=SENT, minutes=45)
    assert pending is not None and pending.due_at == SENT + timedelta(minutes=45)
    assert (pending.alert_id, pending.owner, pending.subject) == ("alert-1", "ana", "account_suspended")
    assert pending_for(alert(), owner_name="Ana Souza", sent_at=SENT, minutes=0) is None


# The notifier's side: recorded once, for an alert that reached its owner in person, with a wake-up.


def test_an_alert_delivered_to_its_owner_waits_for_an_acknowledgement_and_wakes_the_sweep_then() -> None:
    world = World()

    world.delivered(alert())
    world.delivered(alert(), at=SENT + timedelta(minutes=5))  # the stream hands it over again: nothing new

    (pending,) = world.pending.waiting.values()
    assert pending.due_at == SENT + timedelta(minutes=60)
    assert world.wakeups == [SENT + timedelta(minutes=60)]


@pytest.mark.parametrize("routed", ["manager", "unknown_owner", "no_active_manager", "no_directory"])
def test_an_alert_that_went_to_someone_above_the_owner_or_nowhere_in_person_does_not_escalate(routed: str) -> None:
    world = World()

    world.delivered(alert(), routed=routed)

    assert world.pending.waiting == {} and world.wakeups == []


def test_with_escalation_off_nothing_waits() -> None:
    world = World(minutes=0)

    world.delivered(alert())

    assert world.pending.waiting == {} and world.wakeups == []


# The sweep's side.


def test_an_unacknowledged_alert_escalates_once_when_due_with_an_entry_in_the_history() -> None:
    world = World()
    world.delivered(alert())
    due = SENT + timedelta(minutes=60)

    early = world.sweep(due - timedelta(seconds=1))
    run = world.sweep(due)
    again = world.sweep(due + timedelta(days=1))

    assert early.escalated == [] and run.escalated == ["alert-1"] and again.escalated == []
    (escalation,) = world.pending.outbox
    assert (escalation.audience, escalation.severity, escalation.owner) == (Audience.STAFF, Severity.CRITICAL, "ana")
    assert escalation.team is Team.COLLECTIONS and escalation.account_id == "padaria"
    body = escalation.body
    assert isinstance(body, AlertEscalated)
    assert (body.account_name, body.owner_name, body.minutes) == ("Padaria Estrela", "Ana Souza", 60)
    assert body.sent_at == SENT
    (entry,) = world.pending.timeline
    assert (entry.what, entry.at, entry.facts["notification_id"], entry.facts["owner"]) == (
        "alert.escalated",
        due,
        "alert-1",
        "ana",
    )
    assert "not acknowledged within 60 minutes" in entry.why


def test_an_alert_acknowledged_in_time_is_settled_and_nobody_is_told() -> None:
    world = World()
    world.delivered(alert())
    world.pending.acknowledged.add(("padaria", "alert-1"))

    run = world.sweep(SENT + timedelta(hours=2))

    assert (run.escalated, run.acknowledged) == ([], 1)
    assert world.pending.outbox == [] and world.pending.settled == {("padaria", "alert-1"): "acknowledged"}
    assert world.sweep(SENT + timedelta(hours=3)).acknowledged == 0  # nothing left to look at


def test_an_account_gone_since_is_settled_without_a_word() -> None:
    world = World()
    world.delivered(alert())
    world.pending.accounts.clear()

    run = world.sweep(SENT + timedelta(hours=2))

    assert (run.escalated, run.account_gone, world.pending.outbox) == ([], 1, [])


def test_two_sweeps_on_the_same_read_escalate_it_once() -> None:
    world = World()
    world.delivered(alert())
    due = SENT + timedelta(hours=1)
    read = world.pending.due(due)

    class SameRead(Pending):
        def due(self, now: datetime) -> list[DueEscalation]:
            return read

    racing = SameRead(
        accounts=world.pending.accounts,
        waiting=world.pending.waiting,
        settled=world.pending.settled,
        outbox=world.pending.outbox,
        timeline=world.pending.timeline,
    )

    first = escalate_due(racing, now=due, locale="pt-BR")
    second = escalate_due(racing, now=due, locale="pt-BR")

    assert (first.escalated, second.escalated, second.taken_by_another) == (["alert-1"], [], 1)
    assert len(world.pending.outbox) == 1


# Who receives the escalation, and what they read.


def test_the_escalation_goes_to_the_owners_nearest_active_manager() -> None:
    routing = directory().escalation("ana")
    assert ([p.id for p in routing.people], routing.why) == (["carla"], "escalated")

    away = with_people(
        person("carla", "Carla Mendes", active=False, manager="davi"),
        person("davi", "Davi Rocha", teams=["sales"]),
        admins=["davi"],
    )
    assert [p.id for p in away.escalation("ana").people] == ["davi"]


def test_without_a_manager_the_admins_other_than_the_owner_receive_it_and_else_nobody() -> None:
    staff = with_people(person("davi", "Davi Rocha"), admins=["carla", "davi"])

    assert ([p.id for p in staff.escalation("carla").people], staff.escalation("carla").why) == (
        ["davi"],
        "escalated_to_admins",
    )
    assert [p.id for p in staff.escalation("someone-gone").people] == ["carla", "davi"]
    assert directory().escalation("carla").people == ()  # the only admin, without a manager: nobody above


def escalation_of(owner_name: str = "Ana Souza", minutes: int = 60) -> Notification:
    pending = pending_for(alert(), owner_name=owner_name, sent_at=SENT, minutes=minutes)
    assert pending is not None
    world = World()
    world.pending.add(pending)
    world.sweep(pending.due_at)
    return world.pending.outbox[0]


@pytest.mark.parametrize(
    ("locale", "subject", "opening"),
    [
        (
            "pt-BR",
            "Alerta não reconhecido: Padaria Estrela (conta suspensa)",
            "O alerta “conta suspensa” sobre Padaria Estrela, enviado a Ana Souza em 02/11/2026 09:01, não foi "
            "reconhecido em 60 minutos.",
        ),
        (
            "es",
            "Alerta no reconocida: Padaria Estrela (cuenta suspendida)",
            "La alerta «cuenta suspendida» sobre Padaria Estrela, enviada a Ana Souza el 2 nov 2026, 9:01, no fue "
            "reconocida en 60 minutos.",
        ),
        (
            "en",
            "Alert not acknowledged: Padaria Estrela (account suspended)",
            "The alert “account suspended” about Padaria Estrela, sent to Ana Souza on 2 Nov 2026, 9:01 AM, was not "
            "acknowledged within 60 minutes.",
        ),
    ],
)
def test_the_escalation_reads_naturally_in_each_language(locale: str, subject: str, opening: str) -> None:
    message = render(escalation_of().model_copy(update={"locale": locale}), time_zone=TZ)

    assert message.utf8_subject == subject
    assert message.email.startswith(opening)
    assert septets(message.sms) <= SMS_SEPTETS and "Padaria Estrela" in message.sms
    for internal in ("account_suspended", "account.suspended", "alert-1", "alert.escalated", "padaria"):
        assert internal not in message.email and internal not in message.sms


def test_one_minute_is_singular() -> None:
    message = render(escalation_of(minutes=1).model_copy(update={"locale": "en"}), time_zone=TZ)
    assert "within 1 minute." in message.email


def staff_world(console_url: str = "") -> tuple[Mail, StaffDelivery]:
    mail = Mail()
    ports = StaffDelivery(
        directory=lambda: with_people(person("carla", "Carla Mendes", locale="es", teams=["sales"])),
        email=mail,
        sms=Texts(),
        receipts=Receipts(),
        console_url=console_url,
    )
    return mail, ports


def test_the_manager_reads_it_in_their_language_knowing_why_it_came_to_them_with_a_link_to_the_account() -> None:
    mail, ports = staff_world("https://console.example/")

    done = deliver_to_owner(escalation_of(), ports, time_zone=TZ, now=SENT + timedelta(hours=1))

    assert (done.routed, done.people) == ("escalated", ("carla",))
    (sent,) = mail.sent
    assert sent["to"] == "carla@equipe.example"
    assert sent["subject"] == "Alerta no reconocida: Padaria Estrela (cuenta suspendida)"
    text = str(sent["text"])
    assert text.startswith("Recibe este aviso como gerente de Ana Souza, responsable de la cuenta.\n\nLa alerta")
    assert text.endswith(
        "\n\nVer la cuenta en la consola (pide iniciar sesión): https://console.example/#/account/padaria\n"
    )


def test_without_the_consoles_address_there_is_no_link_nor_for_an_alert_about_no_account() -> None:
    mail, ports = staff_world()
    deliver_to_owner(alert(), ports, time_zone=TZ, now=SENT)
    assert "#/account/" not in str(mail.sent[0]["text"])

    mail, ports = staff_world("https://console.example")
    backoffice = alert(AccountOpened(account_name="P", contact=Contact(name="J"))).model_copy(
        update={"account_id": "_backoffice"}
    )
    deliver_to_owner(backoffice, ports, time_zone=TZ, now=SENT)
    assert "#/account/" not in str(mail.sent[0]["text"])


def test_an_account_id_is_escaped_in_the_link() -> None:
    mail, ports = staff_world("https://console.example")
    deliver_to_owner(alert().model_copy(update={"account_id": "loja.sp:01"}), ports, time_zone=TZ, now=SENT)
    assert str(mail.sent[0]["text"]).rstrip().endswith("/#/account/loja.sp%3A01")


def test_the_notifier_records_the_escalation_of_a_suspension_it_delivered_to_the_owner() -> None:
    world = World()
    _, ports = staff_world()

    reached = deliver(
        alert(),
        staff=Recorder(),
        customers=customers(Mail()),
        feed=None,
        platform=Recorder(),
        time_zone=TZ,
        now=SENT,
        owners=ports,
        escalations=world.schedule,
    )

    assert reached is not None and reached.routed == "owner" and reached.owner_name == "Ana Souza"
    (pending,) = world.pending.waiting.values()
    assert replace(pending, due_at=SENT) == PendingEscalation(
        account_id="padaria",
        alert_id="alert-1",
        alert_kind="account.suspended",
        subject="account_suspended",
        owner="ana",
        owner_name="Ana Souza",
        sent_at=SENT,
        due_at=SENT,
        team=Team.COLLECTIONS,
    )
