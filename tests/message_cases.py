"""One body of every notification kind for each of its reasons and variants, with the facts of the account behind
it that its message must tell truly (what is still owed, the credit, whether a payment arrived); and the business
identity that signs customer e-mails. Used by the message catalogue test and the e-mail screenshots."""

from __future__ import annotations

from dataclasses import dataclass, replace
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
    CustomerDeadlineExtended,
    CustomerReactivated,
    CustomerSuspended,
    DigestAccount,
    PaymentSeen,
    WayToPay,
)
from ponte.domain.bodies.delivery import CustomerNoticeHeld, CustomerUnreachable, HeldReason
from ponte.domain.bodies.invoices import (
    DueInstallment,
    InvoiceIssued,
    InvoicesImported,
    NewCustomerInvoice,
    QuarantineCode,
    RefusedRow,
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
from ponte.domain.policy import FeesMode, StepKind
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
    "ponte policy check",  # a command the operator types
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
# A boleto's digitable line as the bank prints it, digits only (47).
BOLETO_LINE = "23790448095616862379336011058009740430000124020"
CHARGED = replace(PARTLY_PAID, fees_paid=brl(0), total=brl(103_700))
# A record kept before invoices had labels: the message shows the number, never the internal key.
UNLABELLED = replace(PARTLY_PAID, invoice_id="stripe:in_1QxYz", label=None, payment_url=None)
FEES = (brl(3_700),)
PLAN = (
    PlannedStep(step_id="final-warning", kind=StepKind.FINAL_WARNING, on=date(2026, 12, 4), deadline=date(2026, 12, 8)),
    PlannedStep(step_id="suspend", kind=StepKind.SUSPEND, on=date(2026, 12, 9)),
)
NOTICES = (
    SentNotice(
        step_id="overdue-1",
        step_kind=StepKind.OVERDUE_NOTICE,
        sent_at=datetime(2026, 11, 17, 11, tzinfo=UTC),
        channel="email",
        notice_id="a1",
        outcome="delivered",
    ),
    SentNotice(
        step_id="final-warning",
        step_kind=StepKind.FINAL_WARNING,
        sent_at=datetime(2026, 11, 26, 11, tzinfo=UTC),
        channel="sms",
        deadline=DEADLINE,
        notice_id="a2",
        outcome="accepted",
    ),
    SentNotice(
        step_id="collections",
        step_kind=StepKind.HAND_OFF,
        sent_at=datetime(2026, 11, 27, 11, tzinfo=UTC),
        channel="staff",
    ),
    # A staff alert, recorded under its dedup key, and a notice of a step the policy no longer has.
    SentNotice(
        step_id="dunning:padaria:promise-lapsed:0f3a", sent_at=datetime(2026, 11, 28, 11, tzinfo=UTC), channel="staff"
    ),
    SentNotice(step_id="overdue-2", sent_at=datetime(2026, 11, 29, 11, tzinfo=UTC), channel="email", notice_id="a3"),
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
    reminder = replace(PARTLY_PAID, days_late=0, late_fee=brl(0), interest=brl(0))
    cases = [
        Case(
            "partly-paid",
            _notice("customer.payment_reminder", reminder, plan=PLAN[:0]),
            Audience.CUSTOMER,
            owed=(reminder.total,),
        ),
        Case(
            "unlabelled",
            _notice("customer.payment_reminder", replace(UNLABELLED, days_late=0)),
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
    modes: tuple[tuple[FeesMode, InvoiceCharge], ...] = (("informational", PARTLY_PAID), ("charged", CHARGED))
    for mode, charge in modes:
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
                data=("pay_1",),
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
    cases.append(
        Case(
            "after-the-final-warning",
            CustomerDeadlineExtended(
                customer_name=CONTACT,
                was=DEADLINE,
                deadline=date(2026, 12, 3),
                totals=(PRINCIPAL,),
                invoices=("NF-e 0042",),
                ways_to_pay=(WayToPay(label="NF-e 0042", payment_url=PARTLY_PAID.payment_url, bank_slip=BOLETO_LINE),),
            ),
            Audience.CUSTOMER,
            owed=(PRINCIPAL,),
        )
    )
    # Each alert with the facts the engine and the worker give it (the detail is their own sentence, for audits).
    facts: dict[str, dict[str, object]] = {
        "suspension_withheld": {"invoices": ("NF-e 0042",)},
        "unknown_currency": {"currencies": ("ARS",), "policy_version": 1},
        "invalid_account": {"problems": ("contact", "invoices", "unheard_of")},
        "invalid_policy": {"policy_version": 8, "in_force": 7},
        "customer_unreachable": {"tried": {"email": "bounced", "sms": "pending"}, "invoices": ("NF-e 0042",)},
        "promise_lapsed": {"until": date(2026, 11, 30), "invoices": ("NF-e 0042",)},
    }
    assert set(facts) == set(get_args(AlertKind))
    for reason, fields in facts.items():
        cases.append(
            Case(
                reason,
                CollectionsAlert(
                    reason=reason,
                    account_name=CUSTOMER,
                    detail="the engine's own sentence, for the logs: steps.2.offset_days on 2026-11-30",
                    invoice_keys=("erp::invoice:0042#1", "stripe::invoice:in_1QxYz#1"),
                    **fields,
                ),
                Audience.STAFF,
            )
        )
        cases.append(Case(f"{reason}-before-its-facts", CollectionsAlert(reason=reason, detail="x"), Audience.STAFF))
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
            InvoiceIssued(
                customer_name=CONTACT,
                invoice_number="0042",
                total=PRINCIPAL,
                installments=installments,
                payment_url=PARTLY_PAID.payment_url,
                bank_slip=BOLETO_LINE,
            ),
            Audience.CUSTOMER,
            owed=(PRINCIPAL,),
        ),
        Case(
            "due-on-a-holiday",
            InvoiceIssued(
                customer_name=CONTACT,
                invoice_number="0043",
                total=PRINCIPAL,
                installments=(
                    DueInstallment(
                        number="1",
                        due_date=date(2026, 12, 25),
                        amount=PRINCIPAL,
                        effective_due_date=date(2026, 12, 28),
                    ),
                ),
            ),
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
        *_rows_cases(),
        *_quarantine_cases(),
    ]


def _rows_cases() -> list[Case]:
    """An upload's alert listing its first rejected rows: a CSV's lines (more than it lists, one written by a version
    before codes), a JSON list's items, an NF-e refused whole."""
    listed = (
        RefusedRow(line=3, code="missing_field", facts={"field": "amount"}),
        RefusedRow(line=4, code="not_positive", facts={"value": "-90,00"}),
        RefusedRow(line=7, code="no_such_date", facts={"value": "31/11/2026"}),
        RefusedRow(line=8, code="unknown_currency", facts={"value": "REA"}),
        RefusedRow(line=1205, code=None),
    )
    files = (
        ("csv-rows", "incoming/notas-2026-11.csv", "csv", 14, listed),
        ("json-items", "incoming/faturas.json", "json", 1, (RefusedRow(line=2, code="missing_customer"),)),
        (
            "nfe-refused",
            "incoming/nfe-4521.xml",
            "nfe",
            1,
            (
                RefusedRow(
                    line=1,
                    code="installments_sum",
                    facts={"number": "4521", "billed": "600.00", "total": "1000.00", "currency": "BRL"},
                ),
            ),
        ),
    )
    return [
        Case(
            variant,
            InvoicesImported(
                file=file,
                file_format=file_format,
                report=f"processed/{file.removeprefix('incoming/')}.report.json",
                imported=1,
                corrected=0,
                unchanged=0,
                rejected=rejected,
                accounts_opened=0,
                rows=rows,
            ),
            Audience.STAFF,
            data=(file, f"processed/{file.removeprefix('incoming/')}.report.json"),
        )
        for variant, file, file_format, rejected, rows in files
    ]


# Each reason a file is set aside for: the file, the parser's English sentence (kept for the report) and the facts.
_QUARANTINES: dict[QuarantineCode, tuple[str, str, dict[str, str]]] = {
    "empty": ("notas-2026-11.csv", "the file is empty", {}),
    "too_big": (
        "notas-2026-11.csv",
        "the file is 62.4 MB, over the limit of 50.0 MB",
        {"size": "62400000", "limit": "50000000"},
    ),
    "xml_too_big": (
        "notas.xml",
        "an XML file is read whole: at most 10.0 MB, this one is 12.0 MB",
        {"size": "12000000", "limit": "10000000"},
    ),
    "line_too_long": ("notas-2026-11.csv", "a line is longer than 1 MiB: this is not a CSV file", {"limit": "1048576"}),
    "unknown_extension": (
        "notas-2026-11.pdf",
        "unknown format: '.pdf' files are not read; upload .csv, .json or .xml",
        {"extension": ".pdf"},
    ),
    "extension_mismatch": (
        "notas-2026-11.csv",
        "the file is named .csv but its content is JSON",
        {"extension": ".csv", "format": "json"},
    ),
    "utf16": ("notas.xml", "NFE in UTF-16 is not read: save the file as UTF-8", {"format": "nfe"}),
    "unknown_format": ("notas-2026-11.txt", "unknown format: the content is not CSV, JSON, NF-e XML or UBL XML", {}),
    "no_xml_root": ("notas.xml", "no XML root element in the first 8192 bytes", {}),
    "unknown_xml": (
        "notas.xml",
        "unknown XML: root <Pedido> in namespace '' is neither an NF-e (or an NF-e event) nor a UBL 2.1 Invoice or "
        "CreditNote",
        {},
    ),
    "not_nfe": ("notas.xml", "not an NF-e: the root element is {http://www.portalfiscal.inf.br/nfe}resNFe", {}),
    "not_ubl": ("notas.xml", "not a UBL 2.1 Invoice or CreditNote: the root element is Order", {}),
    "xml_doctype": ("notas.xml", "XML with a document type declaration (DOCTYPE) is refused", {}),
    "xml_entities": ("notas.xml", "XML that declares entities is refused (entity expansion attack)", {}),
    "xml_external": ("notas.xml", "XML that refers to external resources is refused", {}),
    "xml_malformed": (
        "notas.xml",
        "not well-formed XML: mismatched tag: line 1234, column 6",
        {"line": "1234"},
    ),
    "xml_encoding": ("notas.xml", "the XML declares an encoding no codec reads: ANSI", {}),
    "csv_encoding": (
        "notas-2026-11.csv",
        "line 1234: not in the file's text encoding (a lone surrogate)",
        {"line": "1234"},
    ),
    "csv_malformed": ("notas-2026-11.csv", "line 87: line contains NUL", {"line": "87"}),
    "csv_no_separator": (
        "notas-2026-11.csv",
        "no recognisable header: the first line has no ';', ',' or tab separator",
        {},
    ),
    "csv_missing_columns": (
        "notas-2026-11.csv",
        "no recognisable header: no column for due_date, customer (name, tax id or customer reference) in "
        "['Nota', 'Valor', 'Data']",
        {"columns": "due_date,customer"},
    ),
    "csv_ambiguous_columns": (
        "notas-2026-11.csv",
        "ambiguous header: columns 'Valor' and 'Total' both mean amount; name the right one in the CSV column settings",
        {"columns": "amount"},
    ),
    "json_shape": ("notas-2026-11.json", "a JSON upload is one invoice object or a list of them", {}),
    "json_trailing": ("notas-2026-11.json", "unexpected data after the JSON value", {}),
    "json_encoding": ("notas-2026-11.json", "JSON must be UTF-8", {}),
    "json_malformed": ("notas-2026-11.json", "not valid JSON: the list is not closed", {}),
    "not_read": ("notas-2026-11.csv", "the file could not be read (RecursionError)", {}),
    "not_recorded": (
        "notas-2026-11.csv",
        "the file could not be recorded to the end (KeyError); invoices before the failure may have been "
        "recorded. Please send this report to support.",
        {},
    ),
}


def _quarantine_cases() -> list[Case]:
    assert set(_QUARANTINES) == set(get_args(QuarantineCode))
    cases = [
        Case(
            code.replace("_", "-"),
            UploadQuarantined(
                file=f"incoming/{name}", reason=reason, report=f"quarantine/{name}.report.json", code=code, facts=facts
            ),
            Audience.STAFF,
            data=(f"incoming/{name}", name, f"quarantine/{name}.report.json"),
        )
        for code, (name, reason, facts) in _QUARANTINES.items()
    ]
    # Written before refusals had codes: only the English reason, which the report has too.
    cases.append(
        Case(
            "before-codes",
            UploadQuarantined(
                file="incoming/notas.xml",
                reason="the file is 12.0 MB, over the limit of 10.0 MB",
                report="quarantine/notas.xml.report.json",
            ),
            Audience.STAFF,
            data=("incoming/notas.xml", "notas.xml", "quarantine/notas.xml.report.json"),
        )
    )
    return cases


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
            data=(detail, detail.partition(": ")[2]) if detail else (),
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
    "customer.deadline_extended": next(c for c in CASES if c.kind == "customer.deadline_extended"),
}
