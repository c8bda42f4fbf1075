"""What people read, swept: every notification kind the catalog knows, rendered for the person who reads it, on
every channel it goes out on, in pt-BR, es and en, with the data a São Paulo business really has.

The world: Sol Nascente, a distributor on Rua Augusta, bills "Pães & Doces Vila Mariana Ltda" (account `CLI-00417`,
the ERP's code) with NF-e 47428 of R$ 1.234,56, due on 20/11/2026 (Consciência Negra, a national holiday since
2024, so due on Monday 23/11) and NF-e 47501 of R$ 12.345,66 in three installments due on Christmas, on New Year's
day and on Carnival Monday. Most notices are not written by hand here: the collections ladder runs day by day on
the real calendar (`holidays_around("BR", ...)`) over that account (a Pix through Asaas, payments staff recorded
by hand, the suspension, the hand-off, the reactivation) and over one whose customer has no e-mail nor phone; the
notifier holds customer notices the way it does (the identity not set, set wrong, an SMS Ponte itself refuses to
send, SES's refusal, no address at all); the daily digest is the digest service's, over those accounts. The kinds
no run makes
here (payments, uploads, SES's events, escalations) are built as their services build them, with the values their
sources give (an NF-e's number, an Asaas event id, a CSV's header).

The channels, as each reader gets them: a customer's subject (UTF-8 for SES, ASCII for SNS), the e-mail signed by
the business in plain text and in HTML, and the SMS; a staff alert's subject, e-mail and SMS as the team topics
carry them, and as the owner's manager receives it in person (in the manager's language, with why it came to them
and the link to the console); the digest's.

What is checked, on every channel, and why:
- no ISO date (`2026-11-20`), in any locale: every reader gets dates as their language writes them; in es and en a
  date names its month (`20 nov 2026`), and Spanish puts the article after "desde" or "hasta" (`desde el 23 nov`);
- no `{` or `}` left by a template, no `None`, `True`, `False`, and nothing that looks like a Python repr
  (`Money(amount=...`, `{'key': ...`, `<... object at 0x...>`, `Decimal(`, `datetime.`);
- no internal key: a ledger's key (`asaas:pay_...`, `offline:v5`, `nfe:3526...`, `erp::invoice:...`), a key of the
  table (`ACCOUNT#...`), an event's kind (`customer.final_warning`); and, once what is quoted as it is has been taken
  out, no snake_case or SCREAMING_CASE token, which is a field name or a code;
- amounts as the locale writes them: the amounts a notice is about appear in the locale's form (`R$ 1.234,56`,
  `1.234,56 BRL`, `R$1,234.56`), and no figure in the other convention (`1,234.56` in pt-BR or es); the counts of an
  import report too (`1.234`, `1,234`);
- SMS in GSM-7 and within one segment (160 septets, what `ponte.messages.text.fit_sms` assumes), and a customer's
  never cut; subjects on one line, under 100 characters, the SNS one in ASCII;
- the HTML e-mail says its language (`lang`) and escapes what the data holds (`Pães & Doces`);
- pt-BR and es free of English words;
- a closed chargeback's outcome agrees in gender with the noun it qualifies ("el contracargo ... fue ganado").

The English words are chosen so that a real fragment is caught and legitimate text is not. Left out: words that are
also Portuguese or Spanish ("no", "a", "as", "for" as in "se o pagamento não for identificado", "has" as in "has
pagado", "final", "total", "plan", "error", "come", "do", "me", "son"), loanwords the texts use on purpose ("spam",
"link", "status", "online", "e-mail" split as "e" and "mail", "SMS"), and "in", which a provider's id such as
`in_1Qx` would trip even when quoted. What is quoted as it is never counts: names (the business's, the customer's,
the staff's), brands (Stripe, Asaas, Mercado Pago, WhatsApp, Pix), the provider's ids, codes and own words (its
refusal, quoted and said to be its answer), file names and paths, the console command and the configuration
parameter an operator types, URLs, e-mail addresses and phone numbers. "email" written as one word is in the list:
the texts write "e-mail" or "correo", so the bare word is a channel's code.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, cast

import pytest

from ponte.adapters.customer_delivery import SmsDirect
from ponte.calendar import holidays_around
from ponte.domain.accounts import LOCALES, Account, Contact
from ponte.domain.bodies.accounts import AccountOpened, AccountsMerged, AccountsNotMerged, CustomerWelcome
from ponte.domain.bodies.collections import CollectionsAlert, CustomerDeadlineExtended
from ponte.domain.bodies.delivery import CustomerUnreachable
from ponte.domain.bodies.invoices import (
    DueInstallment,
    InvoiceIssued,
    InvoicesImported,
    NewCustomerInvoice,
    UploadQuarantined,
)
from ponte.domain.bodies.payments import (
    CandidateInvoice,
    ChargebackClosedAlert,
    ChargebackOpenedAlert,
    CustomerNew,
    PaymentFailedAlert,
    PaymentUnmatchedAlert,
    RefundAlert,
    SubscriptionCancelledAlert,
    SubscriptionChangedAlert,
)
from ponte.domain.bodies.staff import AlertEscalated
from ponte.domain.business import default_business_text, load_identity
from ponte.domain.errors import DeliveryRefused, DeliveryUnavailable, InvalidInput
from ponte.domain.events import PaymentMethod
from ponte.domain.invoices import Installment, Invoice, InvoiceKind, Item, Party, SourceFormat
from ponte.domain.ledger import InvoiceRecord, Ledger, PaymentRecord
from ponte.domain.money import Money
from ponte.domain.notifications import Audience, Notification, NotificationBody, Severity, Team
from ponte.domain.policy import default_policy
from ponte.messages import RenderedMessage, render
from ponte.messages.catalog import catalog
from ponte.messages.email import customer_email
from ponte.messages.formatting import Formatter
from ponte.messages.text import SMS_SEPTETS, SUBJECT_LIMIT, septets, to_gsm
from ponte.services.collections import change_for, decide
from ponte.services.delivery import deliver_to_customer
from ponte.services.digest import collections_digest
from ponte.services.staff_delivery import StaffDelivery, deliver_to_owner
from tests.collections_support import applied, local
from tests.memory_store import MemoryLedgerStore
from tests.message_cases import IDENTITY
from tests.staff_support import person, with_people
from tests.unit.test_collections_digest import Book
from tests.unit.test_collections_digest import Entry as BookEntry
from tests.unit.test_delivery_service import Contacts, Mail, Receipts, Texts, ports

if TYPE_CHECKING:
    from ponte.domain.accounts import Locale

TZ = "America/Sao_Paulo"
HOLIDAYS = holidays_around("BR", 2026)
MOMENT = datetime(2026, 11, 19, 17, 42, tzinfo=UTC)  # 14:42 in São Paulo, the eve of Consciência Negra
CONSOLE = "https://console.solnascente.example"

BUSINESS = "Pães & Doces Vila Mariana Ltda"
BUSINESS_ID = "CLI-00417"  # the ERP's code: by convention the account's id
CONTACT = Contact(name="Mariana Conceição", email="financeiro@paesedoces.example", phone="+5511987650417")
GROCER = "Mercearia Irmãos Nakamura Ltda"  # a customer with no e-mail nor phone
GROCER_ID = "CLI-00388"
ASAAS_EVENT = "evt_05b708f961d739ea7eba7e4db318f621"
ASAAS_PAYMENT = "pay_080225913252"
SUBSCRIPTION = "sub_1QxYzAbCdEfGhIj"
UNKNOWN_DECLINE = "cc_rejected_card_type_not_allowed"  # a Mercado Pago status_detail the catalogue lacks
SES_REFUSAL = "Email address is not verified. The following identities failed the check in region SA-EAST-1"
# What a message quotes as it is: names, brands, the providers' ids, codes and words, files, what an operator types.
QUOTED = (
    BUSINESS,
    "Pães e Doces V. Mariana",
    CONTACT.name,
    GROCER,
    "Ana Souza",
    "Carla Mendes",
    "Sol Nascente Distribuidora",
    "Sol Nascente Comércio de Alimentos Ltda",
    IDENTITY.address.one_line,
    "Plano Padaria Pro",
    "Pão francês (kg)",
    "Farinha de trigo especial 25 kg",
    ASAAS_EVENT,
    ASAAS_PAYMENT,
    SUBSCRIPTION,
    UNKNOWN_DECLINE,
    "MessageRejected",
    SES_REFUSAL,
    "BusinessIdentityParameter",
    "schemas/business-identity.schema.json",
    "ponte policy check",
    "Stripe",
    "Asaas",
    "Mercado Pago",
    "WhatsApp",
    "Pix",
    "Ponte",
    "SES",
    "SNS",
)
URL = re.compile(r"https://\S+")
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"\+\d{10,15}")
PATH = re.compile(r"\b[\w./-]+\.(?:csv|xml|json)\b")  # files and the bucket's keys, as the reader finds them


def brl(cents: int) -> Money:
    return Money(amount=cents, currency="BRL")


@dataclass(frozen=True)
class Reading:
    """A notification as one reader gets it, and the amounts its e-mail must state."""

    name: str
    notification: Notification
    shows: tuple[Money, ...] = ()

    @property
    def kind(self) -> str:
        return self.notification.event_type

    def at(self, locale: Locale) -> Notification:
        return self.notification.model_copy(update={"locale": locale})


def _note(
    body: NotificationBody,
    audience: Audience = Audience.STAFF,
    *,
    account_id: str = BUSINESS_ID,
    severity: Severity = Severity.INFO,
) -> Notification:
    return Notification(
        notification_id=f"n-{body.kind}",
        audience=audience,
        severity=severity,
        team=None if audience is Audience.CUSTOMER else Team.COLLECTIONS,
        account_id=account_id,
        owner="ana",
        locale="pt-BR",
        occurred_at=MOMENT,
        body=body,
    )


# The ledger the collections ladder runs over: two NF-e, a Pix through Asaas, payments staff recorded by hand with no
# reference (its id is then the account's version) and with the bank's, and the rest paid in the office in January.
def _nfe(number: str, cents: int, *dues: date) -> InvoiceRecord:
    share = cents // len(dues)
    installments = tuple(
        Installment(number=f"{i:03d}", due_date=due, amount=brl(share + (cents - share * len(dues) if i == 1 else 0)))
        for i, due in enumerate(dues, start=1)
    )
    return InvoiceRecord(
        invoice=Invoice(
            key=f"nfe:3526111122233300018155001{int(number):09d}1000{int(number):05d}5",
            number=number,
            series="1",
            kind=InvoiceKind.INVOICE,
            issue_date=date(2026, 10, 21),
            currency="BRL",
            total=brl(cents),
            installments=installments,
            customer=Party(name=BUSINESS),
            source=SourceFormat.NFE,
        ),
        recorded_at=datetime(2026, 10, 21, 13, tzinfo=UTC),
        origin="upload:incoming/notas-outubro.xml#1",
    )


def _account(account_id: str, name: str, contact: Contact) -> Account:
    return Account.model_validate(
        {
            "account_id": account_id,
            "name": name,
            "status": "active",
            "owner": "ana",
            "locale": "pt-BR",
            "contact": contact,
            "created_at": datetime(2026, 10, 1, 12, tzinfo=UTC),
        }
    )


PAYMENTS = {
    date(2026, 11, 27): PaymentRecord(
        provider="asaas",
        payment_id=ASAAS_PAYMENT,
        amount=brl(13_456),
        received_at=local(date(2026, 11, 27), 11),
        method=PaymentMethod.PIX,
        origin=f"asaas:{ASAAS_EVENT}",
    ),
    date(2026, 12, 1): PaymentRecord(
        provider="offline",
        payment_id="v5",
        amount=brl(10_000),
        received_at=local(date(2026, 12, 1), 12),
        method=PaymentMethod.BANK_TRANSFER,
        description="recorded by staff: bank_transfer",
    ),
    date(2026, 12, 3): PaymentRecord(
        provider="offline",
        payment_id="TED 4471",
        amount=brl(5_000),
        received_at=local(date(2026, 12, 3), 15),
        method=PaymentMethod.BANK_TRANSFER,
        description="recorded by staff: bank_transfer",
    ),
    date(2027, 1, 8): PaymentRecord(
        provider="offline",
        payment_id="v9",
        amount=brl(95_000),
        received_at=local(date(2027, 1, 8), 9),
        method=PaymentMethod.BANK_TRANSFER,
        description="recorded by staff: bank_transfer",
    ),
}
DIGEST_DAY = date(2026, 12, 11)  # a Friday: the deadline of 14/12 is within three business days


@cache
def _ladder() -> tuple[tuple[Notification, ...], tuple[Ledger, ...]]:
    """Every notification the ladder sends both accounts from 27/10/2026 to 12/01/2027, evaluated each morning; and
    the ledgers as they stood on the digest's day."""
    ledgers = [
        Ledger(
            account=_account(BUSINESS_ID, BUSINESS, CONTACT), invoices=(_nfe("47428", 123_456, date(2026, 11, 20)),)
        ),
        Ledger(
            account=_account(GROCER_ID, GROCER, Contact(name="Kenji Nakamura")),
            invoices=(_nfe("47455", 321_000, date(2026, 11, 2)),),
        ),
    ]
    sent: list[Notification] = []
    at_digest: tuple[Ledger, ...] = ()
    day = date(2026, 10, 27)
    while day <= date(2027, 1, 12):
        if day in PAYMENTS:
            ledgers[0] = ledgers[0].model_copy(update={"payments": (*ledgers[0].payments, PAYMENTS[day])})
        for i, ledger in enumerate(ledgers):
            now = local(day, 10)
            decision = decide(ledger, now=now, policy=default_policy(), time_zone=TZ, holidays=HOLIDAYS)
            change = change_for(ledger, decision, now=now, staff_locale="pt-BR", cause=f"sweep:{day}")
            if change is not None:
                ledgers[i] = applied(ledger, change)
                sent += change.notifications
        if day == DIGEST_DAY:
            at_digest = tuple(ledgers)
        day += timedelta(days=1)
    return tuple(sent), at_digest


def _ladder_readings() -> list[Reading]:
    sent, _ = _ladder()
    readings, seen = [], set()
    for n in sent:
        if n.audience is Audience.PLATFORM:
            continue  # machines read the JSON; the staff's copy of the same body is read below
        step = getattr(n.body, "step_id", "") or getattr(n.body, "reason", "")
        name = f"{n.event_type}/{n.account_id}/{step}"
        if name in seen:
            continue
        seen.add(name)
        shows = () if n.event_type == "collections.alert" else tuple(getattr(n.body, "totals", ()))
        readings.append(Reading(f"ladder:{name}", n, shows))
    return readings


def _digest_reading() -> Reading:
    _, ledgers = _ladder()
    book = Book(*(BookEntry(ledger.account.account_id) for ledger in ledgers))
    digest = collections_digest(
        book,
        MemoryLedgerStore(*ledgers),
        book,
        now=local(DIGEST_DAY, 11),
        policy=default_policy(),
        time_zone=TZ,
        holidays=HOLIDAYS,
        staff_locale="pt-BR",
        owners={"ana": "Ana Souza"},
    )
    assert digest is not None
    return Reading("digest", digest, tuple(getattr(digest.body, "totals", ())))


# The notifier holding customer notices: the identity as the template deploys it, one set wrong, a phone Ponte
# will not send to, a number that opted out, SES's refusal, and a customer with no address.
class _OptedOut:
    def check_if_phone_number_is_opted_out(self, **_: Any) -> dict[str, bool]:
        return {"isOptedOut": True}


def _refusal(send: Any) -> DeliveryRefused:
    with pytest.raises(DeliveryRefused) as refused:
        send()
    return refused.value


def _identity_problem(document: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as wrong:
        load_identity(document)
    return wrong.value


def _held_readings() -> list[Reading]:
    wrong = IDENTITY.model_dump(mode="json")
    wrong["address"]["postal_code"] = "0130"
    wrong["support_phone"] = "11 3000-0000"
    sms = SmsDirect("0.50", client=cast("Any", _OptedOut()))
    cases: dict[str, tuple[object, Mail | None, Texts | None, Contact]] = {
        "identity-missing": (_identity_problem(default_business_text()), Mail(), Texts(), CONTACT),
        "identity-invalid": (_identity_problem(json.dumps(wrong)), Mail(), Texts(), CONTACT),
        "sms-not-e164": (
            IDENTITY,
            None,
            Texts(fail=_refusal(lambda: sms.send(to="11 98765-0417", text="x", tags={}))),
            CONTACT,
        ),
        "sms-opted-out": (
            IDENTITY,
            None,
            Texts(fail=_refusal(lambda: sms.send(to=CONTACT.phone or "", text="x", tags={}))),
            CONTACT,
        ),
        "ses-refused": (
            IDENTITY,
            Mail(fail=DeliveryRefused(f"SES MessageRejected: {SES_REFUSAL}", code="MessageRejected")),
            None,
            CONTACT,
        ),
        "no-contact": (IDENTITY, Mail(), Texts(), Contact(name=CONTACT.name)),
    }
    reminder = next(n for n in _ladder()[0] if n.event_type == "customer.payment_reminder")
    readings = []
    for name, (identity, mail, texts, contact) in cases.items():
        alerts: list[Notification] = []
        delivery = replace(
            ports(mail, texts, contact, identity, alerts), contacts=Contacts({reminder.account_id: contact})
        )
        notice = reminder
        # A notice held for the identity is raised to be retried; its alert is what is read here.
        with contextlib.suppress(DeliveryUnavailable):
            deliver_to_customer(notice, render(notice, time_zone=TZ), delivery, now=MOMENT)
        (alert,) = alerts
        readings.append(Reading(f"held:{name}", alert))
    return readings


def _built_readings() -> list[Reading]:
    """The kinds no run above makes, built as their services build them."""
    payment = {"provider": "asaas", "provider_event": ASAAS_EVENT, "customer_name": BUSINESS}
    amount = brl(123_456)
    nfe_47501 = (
        DueInstallment(
            number="001", due_date=date(2026, 12, 25), amount=brl(411_522), effective_due_date=date(2026, 12, 28)
        ),
        DueInstallment(
            number="002", due_date=date(2027, 1, 1), amount=brl(411_522), effective_due_date=date(2027, 1, 4)
        ),
        DueInstallment(number="003", due_date=date(2027, 2, 8), amount=brl(411_522)),
    )
    escalated = AlertEscalated(
        alert_id="n-chargeback",
        alert_kind="chargeback.opened",
        subject="chargeback_opened",
        account_name=BUSINESS,
        owner_name="Ana Souza",
        sent_at=datetime(2026, 11, 19, 13, 5, tzinfo=UTC),
        minutes=90,
    )
    bodies: list[tuple[str, NotificationBody, Audience, tuple[Money, ...]]] = [
        ("opened", AccountOpened(account_name=BUSINESS, contact=CONTACT, owner="ana"), Audience.STAFF, ()),
        ("welcome", CustomerWelcome(customer_name=CONTACT.name), Audience.CUSTOMER, ()),
        ("welcome-the-business", CustomerWelcome(customer_name=BUSINESS), Audience.CUSTOMER, ()),
        (
            # Staff extended the deadline the final warning named (Monday 30/11) by three business days.
            "deadline-extended",
            CustomerDeadlineExtended(
                customer_name=CONTACT.name,
                was=date(2026, 11, 30),
                deadline=date(2026, 12, 3),
                totals=(amount,),
                invoices=("NF-e 47428",),
            ),
            Audience.CUSTOMER,
            (amount,),
        ),
        (
            "merged",
            AccountsMerged(
                account_name=BUSINESS,
                absorbed_name="Pães e Doces V. Mariana",
                absorbed_id="CLI-00417-B",
                invoices=2,
                payments=1,
            ),
            Audience.STAFF,
            (),
        ),
        (
            "merge-refused",
            AccountsNotMerged(
                account_name=BUSINESS,
                other_name="Pães e Doces V. Mariana",
                other_id="CLI-00417-B",
                reason="different_tax_ids",
            ),
            Audience.STAFF,
            (),
        ),
        (
            "new-customer",
            CustomerNew(
                **payment,
                contact=CONTACT,
                description="Plano Padaria Pro",
                amount=amount,
                payment_method="pix",
                invoice_number="47428",
                owner="ana",
            ),
            Audience.STAFF,
            (amount,),
        ),
        (
            "unmatched",
            PaymentUnmatchedAlert(
                **payment,
                amount=brl(50_000),
                candidates=(
                    CandidateInvoice(invoice_number="47428", due_date=date(2026, 11, 23), outstanding=amount),
                    CandidateInvoice(invoice_number="47501", due_date=date(2026, 12, 28), outstanding=brl(411_522)),
                ),
            ),
            Audience.STAFF,
            (brl(50_000), amount),
        ),
        (
            "failed",
            PaymentFailedAlert(**payment, amount=amount, reason="insufficient_funds", invoice_number="47428"),
            Audience.STAFF,
            (amount,),
        ),
        (
            "failed-unknown-code",
            PaymentFailedAlert(**payment, amount=amount, reason=UNKNOWN_DECLINE, invoice_number="47428"),
            Audience.STAFF,
            (amount,),
        ),
        ("refund", RefundAlert(**payment, amount=brl(23_456), paid=amount), Audience.STAFF, (brl(23_456), amount)),
        (
            "chargeback",
            ChargebackOpenedAlert(**payment, amount=amount, reason="fraudulent", invoice_number="47428"),
            Audience.STAFF,
            (amount,),
        ),
        ("chargeback-won", ChargebackClosedAlert(**payment, amount=amount, outcome="won"), Audience.STAFF, (amount,)),
        ("chargeback-lost", ChargebackClosedAlert(**payment, amount=amount, outcome="lost"), Audience.STAFF, (amount,)),
        (
            "subscription",
            SubscriptionChangedAlert(
                **payment, subscription_id=SUBSCRIPTION, plan="Plano Padaria Pro", status="past_due", amount=amount
            ),
            Audience.STAFF,
            (amount,),
        ),
        (
            "subscription-cancelled",
            SubscriptionCancelledAlert(
                **payment, subscription_id=SUBSCRIPTION, plan="Plano Padaria Pro", reason="cancellation_requested"
            ),
            Audience.STAFF,
            (),
        ),
        (
            "invoice",
            InvoiceIssued(
                customer_name=CONTACT.name, invoice_number="47501", total=brl(1_234_566), installments=nfe_47501
            ),
            Audience.CUSTOMER,
            (brl(1_234_566), brl(411_522)),
        ),
        (
            "first-invoice",
            NewCustomerInvoice(
                customer_name=BUSINESS,
                contact=CONTACT.email,
                invoice_number="1-47501",
                issuer="Sol Nascente Comércio de Alimentos Ltda",
                total=brl(1_234_566),
                installments=nfe_47501,
                items=(
                    Item(description="Pão francês (kg)", quantity="120", amount=brl(234_566)),
                    Item(description="Farinha de trigo especial 25 kg", quantity="40", amount=brl(1_000_000)),
                ),
                source="notas-novembro.xml",
            ),
            Audience.STAFF,
            (brl(1_234_566),),
        ),
        (
            "imported",
            InvoicesImported(
                file="incoming/notas-novembro.csv",
                file_format="csv",
                imported=1_234,
                corrected=37,
                unchanged=2_048,
                rejected=3,
                accounts_opened=112,
                cancelled=5,
                warnings=1_021,
                report="reports/notas-novembro.csv.report.json",
            ),
            Audience.STAFF,
            (),
        ),
        (
            "quarantined-columns",
            UploadQuarantined(
                file="incoming/notas-novembro.csv",
                reason="no recognisable header: no column for due_date, customer",
                report="quarantine/notas-novembro.csv.report.json",
                code="csv_missing_columns",
                facts={"columns": "due_date,customer"},
            ),
            Audience.STAFF,
            (),
        ),
        (
            "quarantined-xml",
            UploadQuarantined(
                file="incoming/nfe-47501.xml",
                reason="not well-formed XML: mismatched tag: line 1234, column 6",
                report="quarantine/nfe-47501.xml.report.json",
                code="xml_malformed",
                facts={"line": "1234"},
            ),
            Audience.STAFF,
            (),
        ),
        (
            "bounced",
            CustomerUnreachable(
                reason="bounced",
                notice="customer.final_warning",
                customer_name=CONTACT.name,
                bounce_type="Permanent",
                bounce_subtype="NoEmail",
            ),
            Audience.STAFF,
            (),
        ),
        (
            "complained",
            CustomerUnreachable(
                reason="complained", notice="invoice.issued", customer_name=CONTACT.name, complaint_type="abuse"
            ),
            Audience.STAFF,
            (),
        ),
        ("escalated", escalated, Audience.STAFF, ()),
        (
            "promise-lapsed",
            CollectionsAlert(
                reason="promise_lapsed",
                account_name=BUSINESS,
                detail="promise to pay by 2026-11-30 lapsed unpaid",
                invoice_keys=("nfe:35261111222333000181550010000474281000474285#1",),
                invoices=("NF-e 47428",),
                until=date(2026, 11, 30),
            ),
            Audience.STAFF,
            (),
        ),
    ]
    critical = {"chargeback", "bounced", "complained", "escalated"}
    return [
        Reading(
            f"built:{name}",
            _note(body, audience, severity=Severity.CRITICAL if name in critical else Severity.INFO),
            shows,
        )
        for name, body, audience, shows in bodies
    ]


READINGS = [*_ladder_readings(), _digest_reading(), *_held_readings(), *_built_readings()]
BY_NAME = {reading.name: reading for reading in READINGS}


@cache
def _rendered(name: str, locale: Locale) -> RenderedMessage:
    return render(BY_NAME[name].at(locale), time_zone=TZ)


@cache
def _delivered_to_manager(name: str, locale: Locale) -> dict[str, str]:
    """A staff alert as the owner's manager receives it in person: Ana is away, Carla reads in `locale`."""
    staff = with_people(
        person("ana", "Ana Souza", active=False, manager="carla"),
        person("carla", "Carla Mendes", locale=locale, phone="+5511912345678", teams=["sales", "collections"]),
    )
    mail, sms = Mail(), Texts()
    delivery = StaffDelivery(directory=lambda: staff, email=mail, sms=sms, receipts=Receipts(), console_url=CONSOLE)
    done = deliver_to_owner(BY_NAME[name].notification, delivery, time_zone=TZ, now=MOMENT + timedelta(minutes=1))
    assert done.routed in {"manager", "escalated"}, done
    forms = {"staff alert subject": str(mail.sent[0]["subject"]), "staff alert": str(mail.sent[0]["text"])}
    if sms.sent:
        forms["staff alert sms"] = str(sms.sent[0]["text"])
    return forms


def _html_text(document: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", document))


def channels(reading: Reading, locale: Locale) -> dict[str, str]:
    """Every form the reader gets the message in."""
    message = _rendered(reading.name, locale)
    forms = {
        "subject": message.utf8_subject,
        "ascii subject": message.subject,
        "e-mail": message.email,
        "sms": message.sms,
    }
    notification = reading.notification
    if notification.audience is Audience.CUSTOMER:
        mail = customer_email(message.utf8_subject, message.email, IDENTITY, locale)
        forms |= {"signed e-mail": mail.text, "html e-mail": _html_text(mail.html)}
    elif notification.owner and notification.account_id:
        forms |= _delivered_to_manager(reading.name, locale)
    return forms


def without_quoted(text: str) -> str:
    """The text with what it quotes as it is taken out, in every form a channel gives it."""
    text = URL.sub(" ", text)
    text = ADDRESS.sub(" ", text)
    text = PHONE.sub(" ", text)
    text = PATH.sub(" ", text)
    for value in sorted(QUOTED, key=len, reverse=True):
        for form in {value, to_gsm(value), html.escape(value)}:
            text = text.replace(form, " ")
    return text


def params(locales: tuple[Locale, ...] = LOCALES, audience: Audience | None = None) -> list[object]:
    return [
        pytest.param(r, loc, id=f"{r.name}-{loc}")
        for r in READINGS
        if audience is None or r.notification.audience is audience
        for loc in locales
    ]


ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
NUMERIC_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")
TWO_DIGIT_YEAR = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2}\b")
# Spanish puts the article between these and a date ("desde el 23 nov 2026").
BARE_DATE_ES = re.compile(r"\b(?:desde|hasta|antes de|después de)\s+\d{1,2}\s", re.IGNORECASE)
LEFTOVER = re.compile(r"[{}]")
PYTHON = re.compile(
    r"\b(?:None|True|False|nan)\b|\b[A-Z]\w*\(\w+=|<[\w.]+ object at|\{'\w+'|\bDecimal\(|\bdatetime\.\w|\[\]|\(\)"
)
INTERNAL_KEY = re.compile(
    r"\b[A-Z]{3,}#|\b(?:stripe|asaas|mercadopago|standard|offline|nfe|erp|ubl|upload|test)(?:-payment)?::?[\w%]"
)
EVENT_TYPE = re.compile(
    r"\b(?:customer|customer_notice|account|invoice|invoices|payment|refund|chargeback|subscription|collections|"
    r"alert)\.[a-z_]+\b"
)
FIELD_NAME = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
WORD = re.compile(r"[^\W\d_]+")
# See the module's docstring for what is left out and why.
ENGLISH = frozenset(
    """
    the of and or with without from your you our we is are was were have been be it its this that these those what
    when why which will would should could please thank thanks hello dear not none one two three more than after
    before until since about by to at on an if any
    invoice invoices payment payments paid pay account accounts due overdue owner owners customer customers amount
    amounts received receipt failed declined card refund refunded subscription cancelled canceled chargeback dispute
    disputed won lost deadline fine fee fees interest late later reminder notice notices warning suspended
    reactivated active pending sent delivered bounced staff team settled exempt promise credit debit bank wallet
    transfer other code provider source event file report rejected imported unchanged corrected opening new open
    closed changed policy version currency lapsed unpaid ladder withheld flagged never expired unreachable held
    missing invalid refused duplicate fraud product service items issuer contact detail welcome owes owed left still
    charged counted collections digest alert escalated acknowledged minutes hours day days business identity address
    tax name phone mobile email recorded answer reason today
    """.split()
)
# A figure in the other convention: `1,234.56` where a comma is the decimal sign, `1.234,56` where a point is.
FOREIGN_FIGURE: dict[Locale, re.Pattern[str]] = {
    "pt-BR": re.compile(r"\d,\d{3}\.\d{2}\b|\d\.\d{2}\b(?![\d.])"),
    "es": re.compile(r"\d,\d{3}\.\d{2}\b|\d\.\d{2}\b(?![\d.])"),
    "en": re.compile(r"\d\.\d{3},\d{2}\b|\d,\d{2}\b(?![\d,])"),
}


def test_every_kind_the_catalog_knows_is_read() -> None:
    assert {reading.kind for reading in READINGS} == set(catalog())
    assert len(BY_NAME) == len(READINGS), "every reading has its own name"
    assert {r.notification.audience for r in READINGS} == {Audience.CUSTOMER, Audience.STAFF}


@pytest.mark.parametrize(("reading", "locale"), params())
def test_dates_are_written_as_the_readers_language_writes_them(reading: Reading, locale: Locale) -> None:
    for channel, text in channels(reading, locale).items():
        plain = URL.sub(" ", text)
        assert not ISO_DATE.search(plain), f"{channel}: {ISO_DATE.findall(plain)} in {text!r}"
        assert not TWO_DIGIT_YEAR.search(plain), f"{channel}: {TWO_DIGIT_YEAR.findall(plain)} in {text!r}"
        if locale != "pt-BR":
            assert not NUMERIC_DATE.search(plain), f"{channel}: {NUMERIC_DATE.findall(plain)} in {text!r}"
        if locale == "es":
            assert not BARE_DATE_ES.search(plain), f"{channel}: {BARE_DATE_ES.findall(plain)} in {text!r}"


@pytest.mark.parametrize(("reading", "locale"), params())
def test_nothing_is_left_of_a_template_or_of_python(reading: Reading, locale: Locale) -> None:
    for channel, text in channels(reading, locale).items():
        plain = without_quoted(text)
        assert not LEFTOVER.search(plain), f"{channel}: a brace in {text!r}"
        assert not PYTHON.search(plain), f"{channel}: {PYTHON.findall(plain)} in {text!r}"


@pytest.mark.parametrize(("reading", "locale"), params())
def test_no_internal_key_event_kind_or_field_name(reading: Reading, locale: Locale) -> None:
    for channel, text in channels(reading, locale).items():
        plain = URL.sub(" ", ADDRESS.sub(" ", text))
        assert not INTERNAL_KEY.search(plain), f"{channel}: {INTERNAL_KEY.findall(plain)} in {text!r}"
        assert not EVENT_TYPE.search(plain), f"{channel}: {EVENT_TYPE.findall(plain)} in {text!r}"
        quoted_out = without_quoted(text)
        assert not FIELD_NAME.search(quoted_out), f"{channel}: {FIELD_NAME.findall(quoted_out)} in {text!r}"


@pytest.mark.parametrize(("reading", "locale"), params(("pt-BR", "es")))
def test_portuguese_and_spanish_carry_no_english(reading: Reading, locale: Locale) -> None:
    for channel, text in channels(reading, locale).items():
        words = set(WORD.findall(without_quoted(text).lower())) & ENGLISH
        assert not words, f"{channel}: {sorted(words)} in {text!r}"


@pytest.mark.parametrize(("reading", "locale"), params())
def test_amounts_are_written_as_the_locale_writes_money(reading: Reading, locale: Locale) -> None:
    formatter = Formatter(locale, TZ)
    email = channels(reading, locale)["e-mail"]
    for amount in reading.shows:
        assert formatter.money(amount) in email, f"{formatter.money(amount)!r} not in {email!r}"
    for channel, text in channels(reading, locale).items():
        plain = without_quoted(text)
        found = FOREIGN_FIGURE[locale].findall(plain)
        assert not found, f"{channel}: {found} written in another locale's way in {text!r}"


@pytest.mark.parametrize("locale", LOCALES)
def test_the_counts_of_an_import_are_written_as_the_locale_writes_numbers(locale: Locale) -> None:
    from babel.numbers import format_decimal

    reading = BY_NAME["built:imported"]
    body = reading.notification.body
    assert isinstance(body, InvoicesImported)
    email = channels(reading, locale)["e-mail"]
    for count in (body.imported, body.imported - body.corrected, body.unchanged, body.warnings):
        shown = str(format_decimal(count, locale=locale.replace("-", "_")))
        assert re.search(rf"(?<![\d.,]){re.escape(shown)}(?![\d.,])", email), f"{shown!r} not in {email!r}"


@pytest.mark.parametrize(("reading", "locale"), params())
def test_the_sms_is_one_gsm_segment_and_a_customers_is_whole(reading: Reading, locale: Locale) -> None:
    forms = channels(reading, locale)
    for channel in ("sms", "staff alert sms"):
        if channel in forms:
            sms = forms[channel]
            assert to_gsm(sms) == sms and septets(sms) <= SMS_SEPTETS, f"{channel}: {sms!r}"
    if reading.notification.audience is Audience.CUSTOMER:
        assert not forms["sms"].endswith("..."), f"cut: {forms['sms']!r}"


@pytest.mark.parametrize(("reading", "locale"), params())
def test_subjects_fit_on_one_line(reading: Reading, locale: Locale) -> None:
    message = _rendered(reading.name, locale)
    for subject in (message.subject, message.utf8_subject):
        assert "\n" not in subject and 0 < len(subject) <= SUBJECT_LIMIT, subject
    assert message.subject.isascii(), message.subject


@pytest.mark.parametrize(("reading", "locale"), params(audience=Audience.CUSTOMER))
def test_the_customers_html_says_its_language_and_escapes_the_data(reading: Reading, locale: Locale) -> None:
    message = _rendered(reading.name, locale)
    document = customer_email(message.utf8_subject, message.email, IDENTITY, locale).html
    assert f'<html lang="{locale}">' in document
    body = document.split("<body", 1)[1]
    assert not re.search(r"&(?!(?:[a-z]+|#\d+|#x[0-9a-f]+);)", body), f"an ampersand left unescaped: {body!r}"
    assert not re.search(r"<(?!/?(?:p|br|a|span|body|html)\b)", body), f"a tag the e-mail does not write: {body!r}"


# A closed chargeback's outcome agrees with the noun its sentence names: feminine in Portuguese ("a contestação ...
# foi ganha"), masculine in Spanish ("el contracargo ... fue ganado").
AGREES: dict[Locale, tuple[re.Pattern[str], str]] = {
    "pt-BR": (re.compile(r"\bA contestação\b[^\n]*?\bfoi (\w+)"), "a"),
    "es": (re.compile(r"\bEl contracargo\b[^\n]*?\bfue (\w+)"), "o"),
}


@pytest.mark.parametrize("locale", ["pt-BR", "es"])
@pytest.mark.parametrize("name", ["built:chargeback-won", "built:chargeback-lost"])
def test_a_closed_chargebacks_outcome_agrees_with_its_noun(name: str, locale: Locale) -> None:
    pattern, ending = AGREES[locale]
    email = channels(BY_NAME[name], locale)["e-mail"]
    found = pattern.search(email)
    assert found is not None and found[1].endswith(ending), email
