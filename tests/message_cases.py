"""One body of every notification kind for each of its reasons and variants, with the facts of the account behind
it that its message must tell truly (what is still owed, the credit, whether a payment arrived); and the business
identity that signs customer e-mails. Used by the message catalogue test and the e-mail screenshots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, get_args

from ponte.domain.accounts import AccountStatus, Contact
from ponte.domain.bodies.accounts import AccountOpened, AccountsMerged, AccountsNotMerged, CustomerWelcome
from ponte.domain.bodies.collections import (
    AccountReactivated,
    AccountSuspended,
    AgeBucket,
    AlertKind,
    CollectionNotice,
    CollectionsAlert,
    CollectionsDigest,
    CollectionsHandOff,
    CustomerReactivated,
    CustomerSuspended,
    DigestAccount,
    PaymentSeen,
)
from ponte.domain.bodies.delivery import CustomerNoticeHeld, CustomerUnreachable, HeldReason
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
from ponte.domain.bodies.staff import AlertEscalated, EscalatedSubject
from ponte.domain.business import BusinessIdentity
from ponte.domain.dunning import InvoiceCharge, PlannedStep, SentNotice, SuspensionRecord
from ponte.domain.events import PaymentMethod
from ponte.domain.invoices import Item
from ponte.domain.money import Money
from ponte.domain.notifications import Audience, Notification
from ponte.domain.policy import StepKind
from ponte.messages.reasons import codes, statuses

MOMENT = datetime(2026, 12, 2, 18, 30, tzinfo=UTC)
TIME_ZONE = "America/Sao_Paulo"
CUSTOMER = "Padaria São João"
CONTACT = "João Conceição"
OWNER = "ana"
ACCOUNT_ID = "padaria-sao-joao"
# The business that signs the customer's e-mails (as in the README's example).
IDENTITY = BusinessIdentity.model_validate(
    {
        "trade_name": "Sol Nascente Distribuidora",
        "legal_name": "Sol Nascente Comércio de Alimentos Ltda",
        "tax_id": "11.222.333/0001-81",
        "address": {
            "street": "Rua Augusta",
            "number": "1500",
            "complement": "loja 2",
            "district": "Consolação",
            "city": "São Paulo",
            "state": "SP",
            "postal_code": "01304-001",
            "country": "BR",
        },
        "support_email": "atendimento@solnascente.example",
        "support_phone": "+551130000000",
        "whatsapp": "+5511930000000",
        "website": "https://solnascente.example",
    }
)
# Names from the business's own data and the providers' that no locale translates.
PROPER_NAMES = (
    CUSTOMER,
    CONTACT,
    ACCOUNT_ID,
    "Padaria D’Ávila – Centro",
    "Ana Souza",
    "Stripe",
    "Asaas",
    "Mercado Pago",
    "Standard Webhooks",
    "Ponte",
    "Pix",
    "WhatsApp",
    IDENTITY.trade_name,
    IDENTITY.legal_name,
    IDENTITY.address.one_line,
    IDENTITY.support_email,
    "https://solnascente.example",
)


def brl(cents: int) -> Money:
    return Money(amount=cents, currency="BRL")


@dataclass(frozen=True)
class Case:
    """A body and what its message must tell about the account: `owed` still owed, `credit` the customer's credit,
    `paid` whether a payment arrived (None: the kind says nothing of it). `data` is text the message quotes as it
    is: names, ids, file names, and what a provider or the business's documents say in their own words."""

    variant: str
    body: Any
    audience: Audience
    owed: tuple[Money, ...] = ()
    credit: tuple[Money, ...] = ()
    paid: bool | None = None
    data: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return str(self.body.kind)

    @property
    def name(self) -> str:
        return f"{self.kind}/{self.variant}"

    def notification(self, locale: str) -> Notification:
        return Notification.model_validate(
            {
                "notification_id": "n1",
                "audience": self.audience,
                "account_id": ACCOUNT_ID,
                "owner": OWNER,
                "locale": locale,
                "occurred_at": MOMENT,
                "body": self.body,
            }
        )


DUE = date(2026, 11, 16)
DEADLINE = date(2026, 11, 30)
PRINCIPAL = brl(150_000)
# A customer who paid R$ 500,00 of the R$ 1.500,00 invoice: R$ 1.000,00 is left, with the fine and interest to date.
PARTLY_PAID = InvoiceCharge(
    invoice_id="erp::invoice:0042",
    label="NF 0042",
    installment=1,
    due_date=DUE,
    days_late=16,
    outstanding=brl(100_000),
    late_fee=brl(3_000),
    interest=brl(700),
    total=brl(100_000),
    payment_url="https://pagar.solnascente.example/0042",
)
CHARGED = PARTLY_PAID.model_copy(update={"fees_paid": brl(0), "total": brl(103_700)})
# A record kept before invoices had labels: the message shows the number, never the internal key.
UNLABELLED = PARTLY_PAID.model_copy(update={"invoice_id": "stripe:in_1QxYz", "label": None, "payment_url": None})
FEES = (brl(3_700),)
PLAN = (
    PlannedStep(step_id="final-warning", kind=StepKind.FINAL_WARNING, on=date(2026, 12, 4), deadline=date(2026, 12, 8)),
    PlannedStep(step_id="suspend", kind=StepKind.SUSPEND, on=date(2026, 12, 9)),
)
NOTICES = (
    SentNotice(
        step_id="overdue-1",
        sent_at=datetime(2026, 11, 17, 11, tzinfo=UTC),
        channel="email",
        notice_id="a1",
        outcome="delivered",
    ),
    SentNotice(
        step_id="final-warning",
        sent_at=datetime(2026, 11, 26, 11, tzinfo=UTC),
        channel="sms",
        deadline=DEADLINE,
        notice_id="a2",
        outcome="accepted",
    ),
    SentNotice(step_id="collections", sent_at=datetime(2026, 11, 27, 11, tzinfo=UTC), channel="staff"),
)


def _account_cases() -> list[Case]:
    contact = Contact(name=CONTACT, email="joao@padaria.example", phone="+5511988887777")
    return [
        Case("with-owner", AccountOpened(account_name=CUSTOMER, contact=contact, owner=OWNER), Audience.STAFF),
        Case("no-owner", AccountOpened(account_name=CUSTOMER, contact=Contact(name=CONTACT)), Audience.STAFF),
        Case("welcome", CustomerWelcome(customer_name=CONTACT), Audience.CUSTOMER),
        # A name pasted from a word processor: curly quotes and dashes, which neither SMS nor an ASCII subject has.
        Case("typographic-name", CustomerWelcome(customer_name="Padaria D’Ávila – Centro"), Audience.CUSTOMER),
        Case(
            "merged",
            AccountsMerged(
                account_name=CUSTOMER, absorbed_name="Padaria S. João", absorbed_id="padaria-2", invoices=3, payments=1
            ),
            Audience.STAFF,
            data=("Padaria S. João", "padaria-2"),
        ),
        *(
            Case(
                reason,
                AccountsNotMerged(
                    account_name=CUSTOMER, other_name="Padaria S. João", other_id="padaria-2", reason=reason
                ),
                Audience.STAFF,
                data=("Padaria S. João", "padaria-2"),
            )
            for reason in ("different_tax_ids", "too_many_records")
        ),
    ]


_PROVIDER = {"provider": "stripe", "provider_event": "evt_1QxYz", "customer_name": CUSTOMER}
_PROVIDER_DATA = ("evt_1QxYz",)


def _payment_cases() -> list[Case]:
    amount = brl(49_90)
    contact = Contact(name=CONTACT, email="joao@padaria.example")
    cases = [
        Case(
            f"method-{method.value}",
            CustomerNew(
                **_PROVIDER,
                contact=contact,
                description="Plano Padaria",
                amount=amount,
                payment_method=method.value,
                invoice_number="0042",
                owner=OWNER,
            ),
            Audience.STAFF,
            paid=True,
            data=(*_PROVIDER_DATA, "Plano Padaria", "joao@padaria.example"),
        )
        for method in PaymentMethod
    ]
    cases += [
        Case(
            f"provider-{provider}",
            RefundAlert(**{**_PROVIDER, "provider": provider}, amount=amount, paid=amount),
            Audience.STAFF,
            data=_PROVIDER_DATA,
        )
        for provider in ("asaas", "mercadopago", "standard")
    ]
    cases.append(
        Case(
            "nothing-given",
            CustomerNew(**{**_PROVIDER, "provider": "asaas"}, contact=Contact(name=CONTACT), amount=amount),
            Audience.STAFF,
            paid=True,
            data=_PROVIDER_DATA,
        )
    )
    cases.append(
        Case(
            "candidates",
            PaymentUnmatchedAlert(
                **_PROVIDER,
                amount=brl(30_000),
                candidates=(
                    CandidateInvoice(invoice_number="0041", due_date=date(2026, 10, 16), outstanding=brl(20_000)),
                    CandidateInvoice(invoice_number="0042", due_date=DUE, outstanding=brl(150_000)),
                ),
            ),
            Audience.STAFF,
            paid=True,
            data=_PROVIDER_DATA,
        )
    )
    for reason in (*codes(), "PIX_TIMEOUT", None):
        cases.append(
            Case(
                f"reason-{reason}",
                PaymentFailedAlert(
                    **_PROVIDER, amount=amount, reason=reason, invoice_number="0042" if reason else None
                ),
                Audience.STAFF,
                paid=False,
                data=(*_PROVIDER_DATA, "PIX_TIMEOUT"),
            )
        )
        cases.append(
            Case(
                f"reason-{reason}",
                ChargebackOpenedAlert(**_PROVIDER, amount=amount, reason=reason, invoice_number="0042"),
                Audience.STAFF,
                data=(*_PROVIDER_DATA, "PIX_TIMEOUT"),
            )
        )
    cases += [
        Case("partial", RefundAlert(**_PROVIDER, amount=brl(10_00), paid=amount), Audience.STAFF, data=_PROVIDER_DATA),
        Case("whole", RefundAlert(**_PROVIDER, amount=amount, paid=amount), Audience.STAFF, data=_PROVIDER_DATA),
        *(
            Case(
                outcome,
                ChargebackClosedAlert(**_PROVIDER, amount=amount, outcome=outcome),
                Audience.STAFF,
                data=_PROVIDER_DATA,
            )
            for outcome in ("won", "lost")
        ),
    ]
    for status in (*statuses(), "ACTIVE", "EXPIRED", "on_hold_custom", None):
        cases.append(
            Case(
                f"status-{status}",
                SubscriptionChangedAlert(
                    **_PROVIDER,
                    subscription_id="sub_1QxYz",
                    plan="Plano Padaria" if status else None,
                    status=status,
                    amount=amount if status else None,
                ),
                Audience.STAFF,
                data=(*_PROVIDER_DATA, "sub_1QxYz", "Plano Padaria", "on_hold_custom"),
            )
        )
    for reason in ("cancellation_requested", "payment_disputed", "payment_failed", "SUBSCRIPTION_DELETED", None):
        cases.append(
            Case(
                f"reason-{reason}",
                SubscriptionCancelledAlert(
                    **_PROVIDER, subscription_id="sub_1QxYz", plan="Plano Padaria", reason=reason
                ),
                Audience.STAFF,
                data=(*_PROVIDER_DATA, "sub_1QxYz", "Plano Padaria"),
            )
        )
    return cases


def _notice(kind: str, charge: InvoiceCharge, **fields: Any) -> CollectionNotice:
    return CollectionNotice(
        kind=kind,
        customer_name=CONTACT,
        step_id="step",
        anchor=DUE,
        invoices=(charge,),
        totals=(charge.total,),
        **fields,
    )


def _collection_cases() -> list[Case]:
    reminder = PARTLY_PAID.model_copy(update={"days_late": 0, "late_fee": brl(0), "interest": brl(0)})
    cases = [
        Case(
            "partly-paid",
            _notice("customer.payment_reminder", reminder, plan=PLAN[:0]),
            Audience.CUSTOMER,
            owed=(reminder.total,),
        ),
        Case(
            "unlabelled",
            _notice("customer.payment_reminder", UNLABELLED.model_copy(update={"days_late": 0})),
            Audience.CUSTOMER,
            owed=(UNLABELLED.total,),
        ),
    ]
    for kind in ("customer.overdue_notice", "customer.final_warning"):
        deadline = {"deadline": DEADLINE} if kind == "customer.final_warning" else {}
        plan = PLAN if kind == "customer.overdue_notice" else PLAN[1:]
        cases += [
            Case(
                "informational-fees",
                _notice(kind, PARTLY_PAID, fees_mode="informational", fees_to_date=FEES, plan=plan, **deadline),
                Audience.CUSTOMER,
                owed=(PARTLY_PAID.total,),
            ),
            Case(
                "charged-fees",
                _notice(kind, CHARGED, fees_mode="charged", fees_to_date=FEES, plan=plan, **deadline),
                Audience.CUSTOMER,
                owed=(CHARGED.total,),
            ),
            Case("unlabelled", _notice(kind, UNLABELLED, **deadline), Audience.CUSTOMER, owed=(UNLABELLED.total,)),
        ]
    for mode, charge in (("informational", PARTLY_PAID), ("charged", CHARGED)):
        cases.append(
            Case(
                f"{mode}-fees",
                CustomerSuspended(
                    customer_name=CONTACT,
                    deadline=DEADLINE,
                    invoices=(charge,),
                    totals=(charge.total,),
                    fees_mode=mode,
                    fees_to_date=FEES,
                ),
                Audience.CUSTOMER,
                owed=(charge.total,),
            )
        )
        record = SuspensionRecord(
            rule="step 'suspend' of policy version 1: suspend 15 business days after the due date",
            step_id="suspend",
            policy_version=1,
            anchor=DUE,
            deadline=DEADLINE,
            invoices=(charge,),
            totals=(charge.total,),
            notices=NOTICES,
            fees_mode=mode,
            fees_to_date=FEES,
            credit=(brl(2_000),) if mode == "charged" else (),
        )
        payment = PaymentSeen(
            reference="asaas:pay_1",
            amount=brl(50_000),
            counted=brl(50_000),
            received_at=datetime(2026, 11, 20, 13, tzinfo=UTC),
        )
        cases.append(
            Case(
                f"{mode}-fees",
                AccountSuspended(account_name=CUSTOMER, owner=OWNER, record=record, payments=(payment,)),
                Audience.STAFF,
                owed=(charge.total,),
                credit=record.credit,
                data=("asaas:pay_1",),
            )
        )
        cases.append(
            Case(
                f"{mode}-fees",
                CollectionsHandOff(
                    account_name=CUSTOMER,
                    owner=OWNER,
                    step_id="collections",
                    anchor=DUE,
                    invoices=(charge,),
                    totals=(charge.total,),
                    notices=NOTICES,
                    fees_mode=mode,
                    fees_to_date=FEES,
                    credit=record.credit,
                ),
                Audience.STAFF,
                owed=(charge.total,),
                credit=record.credit,
            )
        )
    left = (brl(5_00),)
    for reason in ("settled", "never_suspend", "exempt", "staff"):
        owed = left if reason == "settled" else (PRINCIPAL,)
        status = AccountStatus.ACTIVE if reason == "settled" else AccountStatus.OVERDUE
        cases.append(
            Case(
                reason,
                AccountReactivated(account_name=CUSTOMER, owner=OWNER, status=status, remaining=owed, reason=reason),
                Audience.STAFF,
                owed=owed,
                paid=reason == "settled",
            )
        )
    cases.append(
        Case(
            "settled-with-credit",
            AccountReactivated(
                account_name=CUSTOMER, owner=OWNER, status=AccountStatus.ACTIVE, reason="settled", credit=(brl(10_000),)
            ),
            Audience.STAFF,
            credit=(brl(10_000),),
            paid=True,
        )
    )
    for reason in ("settled", "never_suspend", "exempt", "staff", "promise"):
        cases.append(
            Case(
                reason,
                CustomerReactivated(customer_name=CONTACT, reason=reason),
                Audience.CUSTOMER,
                paid=reason == "settled",
            )
        )
        owed = left if reason == "settled" else (PRINCIPAL,)
        cases.append(
            Case(
                f"{reason}-still-owing",
                CustomerReactivated(customer_name=CONTACT, reason=reason, remaining=owed),
                Audience.CUSTOMER,
                owed=owed,
                paid=reason == "settled",
            )
        )
    details: dict[str, str] = {
        "suspension_withheld": "the account is past its suspension step but is flagged never to be suspended",
        "unknown_currency": "policy version 1 has no thresholds for ARS; these invoices are left out of the ladder",
        "invalid_account": "contact.phone: String should match pattern '^\\+[1-9]\\d{6,14}$'",
        "invalid_policy": "steps.2.offset_days: Input should be a valid integer",
        "customer_unreachable": "no notice naming the deadline reached the customer (email bounced, sms pending); "
        "the suspension is withheld",
        "promise_lapsed": "the promise to pay by 2026-11-30 lapsed unpaid; the ladder resumes with a fresh deadline",
    }
    assert set(details) == set(get_args(AlertKind))
    for reason, detail in details.items():
        cases.append(
            Case(
                reason,
                CollectionsAlert(
                    reason=reason,
                    account_name=CUSTOMER,
                    detail=detail,
                    invoice_keys=("erp::invoice:0042#1",),
                ),
                Audience.STAFF,
            )
        )
    late = DigestAccount(account_id=ACCOUNT_ID, account_name=CUSTOMER, owner=OWNER, owed=(PRINCIPAL,), on=DEADLINE)
    cases += [
        Case(
            "busy",
            CollectionsDigest(
                day=date(2026, 12, 1),
                accounts_overdue=2,
                totals=(brl(300_000), Money(amount=50_000, currency="USD")),
                buckets=(
                    AgeBucket(from_days=1, to_days=15, accounts=1, amounts=(PRINCIPAL,)),
                    AgeBucket(from_days=16, to_days=None, accounts=1, amounts=(PRINCIPAL,)),
                ),
                suspended=(late,),
                deadlines=(late, late.model_copy(update={"owner": None})),
                promises=(late.model_copy(update={"promised": brl(50_000), "owner_name": "Ana Souza"}),),
                unreachable=(
                    late.model_copy(update={"unreached": {"email": "bounced", "sms": "held"}, "days_late": 16}),
                    late.model_copy(update={"account_id": "padaria-2", "unreached": {}}),
                ),
            ),
            Audience.STAFF,
        ),
        Case(
            "quiet",
            CollectionsDigest(day=date(2026, 12, 1), accounts_overdue=0, totals=(), buckets=()),
            Audience.STAFF,
        ),
    ]
    return cases


def _invoice_cases() -> list[Case]:
    installments = (
        DueInstallment(number="1", due_date=DUE, amount=brl(75_000)),
        DueInstallment(number="2", due_date=date(2026, 12, 16), amount=brl(75_000)),
    )
    items = (Item(description="Farinha de trigo 25 kg", quantity="4", amount=brl(150_000)),)
    return [
        Case(
            "two-installments",
            InvoiceIssued(customer_name=CONTACT, invoice_number="0042", total=PRINCIPAL, installments=installments),
            Audience.CUSTOMER,
            owed=(PRINCIPAL,),
        ),
        Case(
            "euro",
            InvoiceIssued(
                customer_name=CONTACT,
                invoice_number="2026/0042",
                total=Money(amount=46_20, currency="EUR"),
                installments=(DueInstallment(number="1", due_date=DUE, amount=Money(amount=46_20, currency="EUR")),),
            ),
            Audience.CUSTOMER,
            owed=(Money(amount=46_20, currency="EUR"),),
        ),
        Case(
            "one-installment",
            InvoiceIssued(customer_name=CONTACT, invoice_number="0042", total=PRINCIPAL, installments=installments[:1]),
            Audience.CUSTOMER,
            owed=(PRINCIPAL,),
        ),
        Case(
            "everything-given",
            NewCustomerInvoice(
                customer_name=CUSTOMER,
                contact="joao@padaria.example",
                invoice_number="0042",
                issuer="Sol Nascente Comércio de Alimentos Ltda",
                total=PRINCIPAL,
                installments=installments,
                items=items,
                source="notas-2026-11.csv",
            ),
            Audience.STAFF,
            data=(
                "joao@padaria.example",
                "Sol Nascente Comércio de Alimentos Ltda",
                "Farinha de trigo 25 kg",
                "notas-2026-11.csv",
            ),
        ),
        Case(
            "nothing-given",
            NewCustomerInvoice(customer_name=CUSTOMER, invoice_number="0042", total=PRINCIPAL, source="stripe"),
            Audience.STAFF,
            data=("stripe",),
        ),
        *(
            Case(
                variant,
                InvoicesImported(
                    file="incoming/notas-2026-11.csv",
                    file_format="csv",
                    report="reports/notas-2026-11.csv.json",
                    **counts,
                ),
                Audience.STAFF,
                data=("incoming/notas-2026-11.csv", "notas-2026-11.csv", "reports/notas-2026-11.csv.json"),
            )
            for variant, counts in (
                ("one", {"imported": 1, "corrected": 0, "unchanged": 0, "rejected": 1, "accounts_opened": 1}),
                (
                    "many",
                    {
                        "imported": 1200,
                        "corrected": 3,
                        "unchanged": 10,
                        "rejected": 2,
                        "accounts_opened": 12,
                        "cancelled": 1,
                        "warnings": 4,
                    },
                ),
                (
                    "opening",
                    {
                        "imported": 0,
                        "corrected": 0,
                        "unchanged": 0,
                        "rejected": 0,
                        "accounts_opened": 0,
                        "opening": True,
                    },
                ),
            )
        ),
        Case(
            "too-big",
            UploadQuarantined(
                file="incoming/notas.xml",
                reason="the file is 12.0 MB, over the limit of 10.0 MB",
                report="reports/notas.xml.json",
            ),
            Audience.STAFF,
            data=("incoming/notas.xml", "notas.xml", "reports/notas.xml.json"),
        ),
    ]


def _delivery_cases() -> list[Case]:
    details: dict[str, str | None] = {
        "identity_missing": None,
        "identity_invalid": "invalid business identity: tax_id: must be a CNPJ or a CPF",
        "refused": "email: Email address is not verified. The following identities failed the check",
        "no_contact": None,
    }
    assert set(details) == set(get_args(HeldReason))
    cases = [
        Case(
            f"{reason}-{notice.rsplit('.', 1)[-1]}",
            CustomerNoticeHeld(reason=reason, notice=notice, customer_name=CONTACT, detail=detail),
            Audience.STAFF,
            data=(detail,) if detail else (),
        )
        for reason, detail in details.items()
        for notice in ("customer.final_warning", "invoice.issued")
    ]
    cases += [
        Case(
            f"bounced-{subtype}",
            CustomerUnreachable(
                reason="bounced",
                notice="customer.overdue_notice",
                customer_name=CONTACT,
                bounce_type="Permanent",
                bounce_subtype=subtype,
            ),
            Audience.STAFF,
        )
        for subtype in ("General", "NoEmail", "Suppressed", "OnAccountSuppressionList")
    ]
    cases.append(
        Case(
            "complained",
            CustomerUnreachable(
                reason="complained", notice="customer.welcome", customer_name=CONTACT, complaint_type="abuse"
            ),
            Audience.STAFF,
        )
    )
    return cases


def _staff_cases() -> list[Case]:
    return [
        Case(
            f"{subject}-{minutes}",
            AlertEscalated(
                alert_id="n1",
                alert_kind="account.suspended",
                subject=subject,
                account_name=CUSTOMER,
                owner_name="Ana Souza",
                sent_at=datetime(2026, 12, 2, 12, tzinfo=UTC),
                minutes=minutes,
            ),
            Audience.STAFF,
            data=("Ana Souza",),
        )
        for subject in get_args(EscalatedSubject)
        for minutes in (1, 90)
    ]


CASES: tuple[Case, ...] = (
    *_account_cases(),
    *_payment_cases(),
    *_collection_cases(),
    *_invoice_cases(),
    *_delivery_cases(),
    *_staff_cases(),
)
# The notices a customer receives, each as the screenshots show it.
CUSTOMER_NOTICES: dict[str, Case] = {
    "customer.welcome": next(c for c in CASES if c.kind == "customer.welcome"),
    "invoice.issued": next(c for c in CASES if c.name == "invoice.issued/two-installments"),
    "customer.payment_reminder": next(c for c in CASES if c.name == "customer.payment_reminder/partly-paid"),
    "customer.overdue_notice": next(c for c in CASES if c.name == "customer.overdue_notice/informational-fees"),
    "customer.final_warning": next(c for c in CASES if c.name == "customer.final_warning/informational-fees"),
    "customer.suspended": next(c for c in CASES if c.name == "customer.suspended/informational-fees"),
    "customer.reactivated": next(c for c in CASES if c.name == "customer.reactivated/exempt-still-owing"),
}
