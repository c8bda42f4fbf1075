"""One sale, one receivable, end to end on the local stack.

An NF-e uploaded from the ERP and the provider's invoice or payment for the same sale are one receivable, whatever
order they arrive in; an Asaas payment joins the account of the NF-e it pays; the opening book's late invoices
start their ladder on the day they became known; a Stripe dispute holds the invoice its payment paid; a cancelled
NF-e is never chased; a customer known by name alone is imported with a warning.

Everything goes in as in production: webhooks signed and posted to the HTTP API, files put in the invoices bucket,
collections run by the schedules as the simulated days go by (T0 is Monday 2/11/2026, 09:00 in São Paulo). What
is checked is what people see: the customer notices topic, the staff alerts, the platform events, the upload
reports and the accounts' timelines. Stripe's objects follow docs.stripe.com/api/invoices/object and
docs.stripe.com/api/disputes/object; the Asaas webhook is its documented PAYMENT_RECEIVED example
(../shared/fixtures/webhooks/asaas) with this sale's facts; the NF-e are real documents where one fits.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from infra.local import LocalStack
from infra.local.demo_invoices import nfe_document
from infra.local.signing import asaas_headers, stripe_headers
from ponte.adapters.dynamodb import DynamoStore
from ponte.domain.accounts import TimelineEntry
from ponte.domain.dunning import Receivable
from tests.collections_support import ZONE, local
from tests.integration.conftest import BUSINESS, SUBSCRIBERS
from tests.support import ROOT, T0, Stacks, fixture

STRIPE = "whsec_one_sale_test"
ASAAS_TOKEN = "asaas-one-sale-token"
ASAAS_API_KEY = "$aact_one_sale_test"
STAFF = f"email:{SUBSCRIBERS['StaffAlertEmail']}"
COLLECTION_NOTICES = {"customer.payment_reminder", "customer.overdue_notice", "customer.final_warning"}
NEW_CUSTOMER_ALERTS = {"customer.first_invoice", "customer.new"}
DOCUMENTS = ROOT / "tests" / "unit" / "invoices" / "documents"

# Real NF-e from nfelib's test data (../shared/fixtures/invoices/nfe), each an authorised sale to one customer.
FULANO_NFE = ("invoices", "nfe", "nfelib__35180834128745000152550010000474281920007498-nfe.xml")  # R$ 347,28
MARIA_NFE = ("invoices", "nfe", "nfelib__42211275277525000178550030000276771368212013-procNFe.xml")  # R$ 19.104,00
MEDICOS_NFE = ("invoices", "nfe", "nfelib__26180875335849000115550010000016871192213331-nfe.xml")  # 2 duplicatas
# A real authorised NF-e and its real cancellation (cStat 135), from br_danfe's test data.
DANFE_NFE = "asseinfo-br_danfe__nfe_simples_nacional_authorized.xml"
DANFE_CANCELLATION = "asseinfo-br_danfe__nfe_simples_nacional_cancellation_event.xml"
DANFE_RECEIVED = datetime(2015, 1, 14, 18, 0, tzinfo=UTC)


def store_of(stack: LocalStack) -> DynamoStore:
    return DynamoStore(stack.physical_id("Table"))


def opened_accounts(stack: LocalStack) -> dict[str, list[str]]:
    """The account ids the platform heard of (`account.opened`), by account name."""
    opened: dict[str, list[str]] = {}
    for event in stack.platform_events():
        if event["detail-type"] == "account.opened":
            detail = event["detail"]
            opened.setdefault(detail["data"]["account_name"], []).append(detail["account_id"])
    return opened


def the_account(stack: LocalStack, name: str) -> str:
    """The one account opened for `name`."""
    found = opened_accounts(stack).get(name, [])
    assert len(found) == 1, f"{name}: accounts opened {found}"
    return found[0]


def customer_notices(stack: LocalStack, account_id: str) -> list[dict[str, Any]]:
    """The machine payloads of one account's customer notices, in order."""
    return [
        json.loads(d.message)
        for d in stack.published("CustomerNoticesTopic")
        if d.attributes.get("account_id") == account_id
    ]


def collection_notices(stack: LocalStack, account_id: str) -> list[dict[str, Any]]:
    return [n for n in customer_notices(stack, account_id) if n["event_type"] in COLLECTION_NOTICES]


def staff_alerts(stack: LocalStack, account_id: str | None = None) -> list[str]:
    """The event types of the staff e-mails (after the subscription's filter), for one account or all."""
    return [
        d.attributes["event_type"]
        for d in stack.inbox("StaffAlertsTopic")[STAFF]
        if account_id is None or d.attributes.get("account_id") == account_id
    ]


def timeline(stack: LocalStack, account_id: str, what: str) -> list[TimelineEntry]:
    return [entry for entry in store_of(stack).timeline(account_id) if entry.what == what]


def receivables(stack: LocalStack, account_id: str) -> tuple[Receivable, ...]:
    """What the account owes, installment by installment, as collections read it."""
    ledger = store_of(stack).load_ledger(account_id)
    assert ledger is not None, account_id
    return ledger.receivables()


def days_until(stack: LocalStack, last: date) -> Iterator[date]:
    """Each following day up to `last`, the clock moved to 09:00 local time: the day's 08:00 sweep has run."""
    day = stack.now.astimezone(ZONE).date()
    while day < last:
        day += timedelta(days=1)
        stack.advance_to(local(day, 9))
        yield day


def run_days(stack: LocalStack, last: date) -> None:
    for _ in days_until(stack, last):
        pass


def upload(stack: LocalStack, key: str, data: bytes) -> Any:
    """Put a file in the invoices bucket as the back office does; its report."""
    stack.put_object(key, data)
    assert stack.failures == []
    report_key = key.replace("incoming/", "processed/", 1) + ".report.json"
    body = stack.client("s3").get_object(Bucket=stack.physical_id("InvoicesBucket"), Key=report_key)["Body"]
    return json.loads(body.read())


def post_stripe(stack: LocalStack, event_type: str, event_id: str, obj: dict[str, Any]) -> tuple[int, Any]:
    event = {
        "id": event_id,
        "object": "event",
        "api_version": "2025-03-31.basil",
        "type": event_type,
        "created": int(stack.now.timestamp()),
        "livemode": False,
        "data": {"object": obj},
    }
    body = json.dumps(event).encode()
    headers = stripe_headers(body, STRIPE, stack.now)
    status, _, answer = stack.http("POST", "/webhooks/stripe", headers=headers, body=body)
    return status, json.loads(answer)


def access_key_of(nfe: bytes) -> str:
    marker = b'Id="NFe'
    start = nfe.index(marker) + len(marker)
    return nfe[start : start + 44].decode()


def stripe_invoice(
    invoice_id: str,
    *,
    customer: tuple[str, str, str, str],  # Stripe id, name, e-mail, and tax id as `type:value`
    cents: int,
    paid_with: str | None,
    metadata: dict[str, str],
    due: date | None = None,
) -> dict[str, Any]:
    """A Stripe invoice as invoice.finalized (open, `paid_with` None) or invoice.paid sends it."""
    customer_id, name, email, tax_id = customer
    tax_type, tax_value = tax_id.split(":")
    # From API version 2025-03-31 an invoice names its payments, not one payment intent.
    payment = {"type": "payment_intent", "payment_intent": paid_with}
    payments = [{"object": "invoice_payment", "payment": payment, "status": "paid"}] if paid_with else []
    return {
        "id": invoice_id,
        "object": "invoice",
        "number": f"A1B2C3D4-{invoice_id[-4:]}",
        "status": "paid" if paid_with else "open",
        "collection_method": "send_invoice",
        "currency": "brl",
        "amount_due": cents,
        "amount_paid": cents if paid_with else 0,
        "amount_remaining": 0 if paid_with else cents,
        "customer": customer_id,
        "customer_email": email,
        "customer_name": name,
        "customer_tax_ids": [{"type": tax_type, "value": tax_value}],
        "due_date": int(datetime.combine(due, time(12), ZONE).timestamp()) if due else None,
        "created": int(T0.timestamp()),
        "hosted_invoice_url": f"https://invoice.stripe.com/i/acct_1PonteTest/test_{invoice_id}",
        "description": "Farinha de trigo 25 kg",
        "metadata": metadata,
        "payments": {"object": "list", "data": payments},
    }


@dataclass(frozen=True)
class Sale:
    """One sale as the ERP (its NF-e) and Stripe (its invoice) know it, delivered in `order`. `link` is how the
    business told Stripe which NF-e the invoice is for: its access key or its number in metadata `nfe`, its
    number in `invoice_number`, or nothing."""

    number: str
    customer: str
    cnpj: str
    email: str
    installments: tuple[tuple[str, str, str], ...]  # nDup, dVenc, vDup
    order: tuple[str, ...]
    link: str

    @property
    def nfe(self) -> bytes:
        return nfe_document(
            number=self.number,
            customer_cnpj=self.cnpj,
            customer_name=self.customer,
            customer_email=self.email,
            issued="2026-11-01",
            installments=list(self.installments),
        )

    @property
    def metadata(self) -> dict[str, str]:
        return {
            "nfe access key": {"nfe": access_key_of(self.nfe)},
            "invoice_number": {"invoice_number": self.number, "invoice_series": "1"},
            "nfe number": {"nfe": self.number},
            "nothing": {},
        }[self.link]

    def deliver(self, stack: LocalStack, step: str) -> None:
        if step == "nfe":
            found = upload(stack, f"incoming/nfe-{self.number}.xml", self.nfe)
            assert found["counts"]["created"] == 1, found
            return
        c = self.cnpj
        invoice = stripe_invoice(
            f"in_1Sale{self.number}",
            customer=(
                f"cus_Sale{self.number}",
                self.customer,
                self.email,
                f"br_cnpj:{c[:2]}.{c[2:5]}.{c[5:8]}/{c[8:12]}-{c[12:]}",
            ),
            cents=sum(round(float(amount) * 100) for _, _, amount in self.installments),
            paid_with=f"pi_1Sale{self.number}" if step == "paid" else None,
            metadata=self.metadata,
            due=date.fromisoformat(self.installments[0][1]),
        )
        status, answer = post_stripe(stack, f"invoice.{step}", f"evt_{step}_{self.number}", invoice)
        assert status == 200, answer


# Every NF-e falls due on Friday 6/11: a receivable left owing would get its reminders on 3/11 and 6/11 and its
# first overdue notice on 9/11.
SALES = (
    Sale(
        "7101",
        "Padaria Trigo Bom Ltda",
        "11222333000181",
        "financeiro@trigobom.example",
        (("001", "2026-11-06", "600.00"), ("002", "2026-12-07", "600.00")),
        order=("nfe", "finalized", "paid"),
        link="nfe access key",
    ),
    Sale(
        "7102",
        "Mercearia Boa Vista Ltda",
        "45997418000153",
        "contas@boavista.example",
        (("001", "2026-11-06", "480.00"),),
        order=("finalized", "nfe", "paid"),
        link="invoice_number",
    ),
    Sale(
        "7103",
        "Confeitaria Doce Lar Ltda",
        "27865757000102",
        "adm@docelar.example",
        (("001", "2026-11-06", "315.50"),),
        order=("finalized", "paid", "nfe"),
        link="nfe number",
    ),
    Sale(
        "7104",
        "Restaurante Sabor Caseiro Ltda",
        "60701190000104",
        "caixa@saborcaseiro.example",
        (("001", "2026-11-06", "289.90"),),
        order=("paid", "nfe"),
        link="nothing",
    ),
)


def order_of(sale: Sale) -> str:
    return "-then-".join(sale.order)


@pytest.fixture(scope="class")
def four_sales(stacks: Stacks) -> Iterator[LocalStack]:
    """Every sale delivered on Monday 2/11, ten minutes between deliveries; then the days up to 10/11 run."""
    with stacks(now=T0, documents=BUSINESS, parameters=SUBSCRIBERS, webhook_secrets={"stripe": STRIPE}) as stack:
        for sale in SALES:
            for step in sale.order:
                sale.deliver(stack, step)
                stack.advance(minutes=10)
        run_days(stack, date(2026, 11, 10))
        assert stack.failures == []
        yield stack


class TestOneSaleInAnyOrder:
    """Four customers on one stack (`four_sales`), each sale's NF-e and Stripe events arriving in another order."""

    @pytest.mark.parametrize("sale", SALES, ids=order_of)
    def test_one_account_one_receivable_settled_and_nobody_chased(self, four_sales: LocalStack, sale: Sale) -> None:
        stack = four_sales
        account = the_account(stack, sale.customer)
        owed = receivables(stack, account)
        assert {r.invoice_id for r in owed} == {f"nfe:{access_key_of(sale.nfe)}"}  # nothing of Stripe's own
        assert [r.outstanding.amount for r in owed] == [0] * len(sale.installments)
        (paid,) = timeline(stack, account, "payment.received")
        assert paid.source == f"stripe:evt_paid_{sale.number}"
        assert collection_notices(stack, account) == []

    def test_the_timeline_says_what_each_payment_paid_and_how_the_invoices_were_linked(
        self, four_sales: LocalStack
    ) -> None:
        stack = four_sales
        said = {}
        for sale in SALES:
            (paid,) = timeline(stack, the_account(stack, sale.customer), "payment.received")
            said[sale.number] = (paid.facts.get("invoice"), paid.facts["matched_by"])
        # Written as each payment came, with what was known then.
        assert said == {
            "7101": ("7101", "provider_invoice"),  # Stripe's invoice, which stands for the NF-e
            "7102": ("7102", "provider_invoice"),  # the NF-e came between Stripe's invoice and its payment
            "7103": ("A1B2C3D4-7103", "provider_invoice"),  # before the NF-e came: Stripe's invoice as it was
            "7104": (None, "oldest"),  # nothing was known of the sale
        }
        # Stripe's invoice that came after the NF-e is linked to it, and the timeline says how.
        (linked,) = timeline(stack, the_account(stack, SALES[0].customer), "invoice.linked")
        assert linked.facts == {"invoice": "7101", "matched_by": "access_key"}
        assert "one receivable" in linked.why

    @pytest.mark.parametrize(
        "sale",
        SALES,
        ids=order_of,
    )
    def test_sales_hear_of_the_new_customer_once(self, four_sales: LocalStack, sale: Sale) -> None:
        stack = four_sales
        account = the_account(stack, sale.customer)
        assert len([kind for kind in staff_alerts(stack, account) if kind in NEW_CUSTOMER_ALERTS]) == 1


class _FakeAsaas(BaseHTTPRequestHandler):
    """Asaas's customers and payments API (`GET /v3/customers/{id}`, `GET /v3/payments/{id}`), on 127.0.0.1."""

    customers: ClassVar[dict[str, dict[str, Any]]] = {}
    payments: ClassVar[dict[str, dict[str, Any]]] = {}
    seen: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self) -> None:
        self.seen.append((self.path, self.headers.get("access_token")))
        found = self.customers.get(self.path.removeprefix("/v3/customers/")) or self.payments.get(
            self.path.removeprefix("/v3/payments/")
        )
        body = json.dumps(found or {"errors": [{"code": "not_found", "description": "Cliente não encontrado."}]})
        self.send_response(200 if found else 404)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def asaas_api() -> Iterator[str]:
    _FakeAsaas.seen, _FakeAsaas.payments = [], {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeAsaas)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v3"
    server.shutdown()


def asaas_payment_received(*, event_id: str, payment_id: str, customer: str, value: float) -> bytes:
    """Asaas's documented PAYMENT_RECEIVED, with this payment's facts and no externalReference; Asaas's API (the
    fake) then has the payment as the delivery tells it."""
    event = copy.deepcopy(json.loads(fixture("webhooks", "asaas", "PAYMENT_RECEIVED.json").read_text()))
    event |= {"id": event_id, "dateCreated": "2026-11-02 09:30:00"}
    event["payment"] |= {
        "id": payment_id,
        "customer": customer,
        "value": value,
        "netValue": value,
        "billingType": "PIX",
        "description": "Pedido balcão",
        "externalReference": None,
        "subscription": None,
        "installment": None,
        "creditCard": None,
        "chargeback": None,
        "split": None,
        "dueDate": "2026-11-02",
        "paymentDate": "2026-11-02",
        "clientPaymentDate": "2026-11-02",
    }
    _FakeAsaas.payments[payment_id] = event["payment"]
    return json.dumps(event).encode()


def test_an_asaas_payment_joins_the_nfes_account_and_settles_it(asaas_api: str) -> None:
    _FakeAsaas.customers = {
        "cus_000005219613": {
            "object": "customer",
            "id": "cus_000005219613",
            "name": "Fulano dos Santos",
            "email": "fulano.santos@example.com",
            "mobilePhone": "11987654321",
            "cpfCnpj": "68161525650",
            "personType": "FISICA",
            "externalReference": None,
            "deleted": False,
        }
    }
    with LocalStack(
        now=T0,
        parameters={**SUBSCRIBERS, "AsaasApiBaseUrl": asaas_api},
        webhook_secrets={"asaas": ASAAS_TOKEN, "AsaasApiKey": ASAAS_API_KEY},
    ) as stack:
        # Given a sale to Fulano (CPF 681.615.256-50), its NF-e years late, uploaded today
        assert upload(stack, "incoming/fulano.xml", fixture(*FULANO_NFE).read_bytes())["counts"]["created"] == 1
        account = the_account(stack, "FULANO DOS SANTOS")

        # When Asaas reports a Pix of the same amount, naming the customer by its Asaas id alone
        body = asaas_payment_received(
            event_id="evt_one_sale_asaas_1", payment_id="pay_one_sale_1", customer="cus_000005219613", value=347.28
        )
        status, _, answer = stack.http("POST", "/webhooks/asaas", headers=asaas_headers(ASAAS_TOKEN), body=body)

        # Then the customer is asked of Asaas, and the payment lands on the NF-e's account and settles the NF-e
        assert (status, json.loads(answer)["account_id"]) == (200, account)
        assert _FakeAsaas.seen == [
            ("/v3/payments/pay_one_sale_1", ASAAS_API_KEY),
            ("/v3/customers/cus_000005219613", ASAAS_API_KEY),
        ]
        assert list(opened_accounts(stack)) == ["FULANO DOS SANTOS"]  # no account for the Asaas customer
        (paid,) = timeline(stack, account, "payment.received")
        assert paid.facts == {"matched_by": "amount", "invoice": "47428"}
        assert [r.outstanding.amount for r in receivables(stack, account)] == [0]
        assert not {"payment.unmatched", "customer.new"} & set(staff_alerts(stack))

        # And nobody chases Fulano (unpaid, an NF-e this late would get its overdue notice on 3/11)
        run_days(stack, date(2026, 11, 5))
        assert collection_notices(stack, account) == []
        assert stack.failures == []


OPENING_BOOK = "\n".join(
    [
        "Número;Parcela;Cliente;CNPJ/CPF;E-mail;Valor;Vencimento;Emissão",
        # Both fell due on 3/9/2026, 60 days before the import.
        "SI-0901;1;Armazém Central Ltda;34.028.316/0001-03;financeiro@armazem.example;2.400,00;03/09/2026;04/08/2026",
        "SI-0902;1;Oficina Dois Irmãos;07.526.557/0001-00;contas@doisirmaos.example;780,00;03/09/2026;04/08/2026",
    ]
).encode()


def test_the_opening_books_late_invoices_start_their_ladder_on_the_day_they_became_known(stacks: Stacks) -> None:
    # Customers are told of each new invoice here, but the opening book is no news to them.
    with stacks(now=T0, documents=BUSINESS, parameters={**SUBSCRIBERS, "CustomerInvoiceNotices": "on"}) as stack:
        found = upload(stack, "incoming/opening/saldo-inicial.csv", OPENING_BOOK)
        assert (found["opening"], found["counts"]["created"], found["counts"]["accounts_opened"]) == (True, 2, 2)
        assert staff_alerts(stack) == ["invoices.imported"]  # no new-customer alert to sales
        assert stack.published("CustomerNoticesTopic") == []  # no invoice notices

        accounts = {name: the_account(stack, name) for name in ("Armazém Central Ltda", "Oficina Dois Irmãos")}
        sent: dict[str, list[tuple[date, str, str | None]]] = {name: [] for name in accounts}
        staff: dict[str, list[tuple[date, str]]] = {name: [] for name in accounts}
        for day in days_until(stack, date(2026, 12, 2)):
            for name, account in accounts.items():
                for notice in customer_notices(stack, account)[len(sent[name]) :]:
                    sent[name].append((day, notice["event_type"], notice["data"].get("deadline")))
                staff[name].extend((day, kind) for kind in staff_alerts(stack, account)[len(staff[name]) :])

        for name, notices in sent.items():
            # The first contact is an overdue notice, in the first business days after the import
            first_day, first_kind, _ = notices[0]
            assert (first_kind, first_day <= date(2026, 11, 4)) == ("customer.overdue_notice", True), notices
            # One final warning, naming a deadline at least 3 days after it went out
            warnings = [(day, deadline) for day, kind, deadline in notices if kind == "customer.final_warning"]
            assert len(warnings) == 1, notices
            ((warned_on, named),) = warnings
            assert named is not None and date.fromisoformat(named) >= warned_on + timedelta(days=3), notices
            # No suspension and no hand-off before that deadline passed; the ladder does go on after it
            stopped = [(day, kind) for day, kind, _ in notices] + staff[name]
            drastic = [(day, kind) for day, kind in stopped if kind in {"customer.suspended", "collections.hand_off"}]
            assert drastic and all(day > date.fromisoformat(named) for day, _ in drastic), (notices, staff[name])
        assert stack.failures == []


def test_a_stripe_dispute_lands_on_the_payments_account_and_holds_its_invoice(stacks: Stacks) -> None:
    maria = ("cus_1Maria", "Maria de Pereira Silva", "marianaalmeida@me.com", "br_cpf:350.294.288-95")
    nfe = fixture(*MARIA_NFE).read_bytes()
    with stacks(now=T0, documents=BUSINESS, parameters=SUBSCRIBERS, webhook_secrets={"stripe": STRIPE}) as stack:
        # Given Maria's NF-e (due in 2021, uploaded today), paid through Stripe; the invoice names the NF-e
        upload(stack, "incoming/maria.xml", nfe)
        account = the_account(stack, "MARIA DE PEREIRA SILVA")
        invoice = stripe_invoice(
            "in_1Maria", customer=maria, cents=1_910_400, paid_with="pi_1Maria", metadata={"nfe": access_key_of(nfe)}
        )
        assert post_stripe(stack, "invoice.paid", "evt_maria_paid", invoice) == (
            200,
            {"received": True, "duplicate": False, "account_id": account},
        )
        (paid,) = timeline(stack, account, "payment.received")
        assert paid.facts == {"matched_by": "access_key", "invoice": "27677"}

        # When the card holder disputes the payment (a dispute names the charge and the payment, no customer)
        dispute = {
            "id": "dp_1Maria",
            "object": "dispute",
            "amount": 1_910_400,
            "currency": "brl",
            "charge": "ch_1Maria",
            "payment_intent": "pi_1Maria",
            "reason": "fraudulent",
            "status": "needs_response",
            "created": int(T0.timestamp()),
            "is_charge_refundable": False,
            "livemode": False,
            "metadata": {},
            "evidence": {"customer_email_address": None, "customer_name": None},
            "payment_method_details": {"type": "card", "card": {"brand": "visa"}},
        }
        stack.advance(hours=1)
        status, answer = post_stripe(stack, "charge.dispute.created", "evt_maria_dispute", dispute)

        # Then it lands on Maria's account, no other account is opened, and finance is told at once
        assert (status, answer["account_id"]) == (200, account)
        assert list(opened_accounts(stack)) == ["MARIA DE PEREIRA SILVA"]
        assert "chargeback.opened" in staff_alerts(stack, account)
        assert [(r.outstanding.amount, r.disputed) for r in receivables(stack, account)] == [(1_910_400, True)]

        # And the invoice is held: nobody chases Maria for it while the dispute is open
        run_days(stack, date(2026, 11, 5))
        assert collection_notices(stack, account) == []

        # A dispute for a payment Ponte never recorded is answered 409, for Stripe to retry, and opens nothing
        unknown = {**dispute, "id": "dp_1Unknown", "charge": "ch_1Unknown", "payment_intent": "pi_1Unknown"}
        status, answer = post_stripe(stack, "charge.dispute.created", "evt_unknown_dispute", unknown)
        assert status == 409 and answer["error"]
        assert list(opened_accounts(stack)) == ["MARIA DE PEREIRA SILVA"]
        assert stack.failures == []


def document(name: str) -> bytes:
    path = DOCUMENTS / name
    if not path.exists():
        pytest.skip(f"{name} is not in tests/unit/invoices/documents")
    return path.read_bytes()


def cancellation_of(access_key: str, *, issuer_cnpj: str, protocol: str, at: str) -> bytes:
    """A procEventoNFe cancelling `access_key` as SEFAZ returns it (leiaute de evento 1.00): the issuer's request
    (tpEvento 110111, with the NF-e's authorisation protocol and a reason of 15 to 255 characters) and SEFAZ's
    registration (retEvento, cStat 135). Unsigned: Ponte does not check the XML signature."""
    state = access_key[:2]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<procEventoNFe versao="1.00" xmlns="http://www.portalfiscal.inf.br/nfe">'
        f'<evento versao="1.00"><infEvento Id="ID110111{access_key}01">'
        f"<cOrgao>{state}</cOrgao><tpAmb>1</tpAmb><CNPJ>{issuer_cnpj}</CNPJ><chNFe>{access_key}</chNFe>"
        f"<dhEvento>{at}</dhEvento><tpEvento>110111</tpEvento><nSeqEvento>1</nSeqEvento><verEvento>1.00</verEvento>"
        f'<detEvento versao="1.00"><descEvento>Cancelamento</descEvento><nProt>{protocol}</nProt>'
        "<xJust>Pedido cancelado pelo cliente antes da entrega</xJust></detEvento>"
        "</infEvento></evento>"
        '<retEvento versao="1.00"><infEvento>'
        f"<tpAmb>1</tpAmb><verAplic>SVRS202401</verAplic><cOrgao>{state}</cOrgao><cStat>135</cStat>"
        f"<xMotivo>Evento registrado e vinculado a NF-e</xMotivo><chNFe>{access_key}</chNFe>"
        "<tpEvento>110111</tpEvento><xEvento>Cancelamento registrado</xEvento><nSeqEvento>1</nSeqEvento>"
        f"<dhRegEvento>{at}</dhRegEvento><nProt>126180042899999</nProt>"
        "</infEvento></retEvento></procEventoNFe>"
    ).encode()


def test_a_cancelled_nfe_is_never_chased_whether_its_cancellation_comes_after_or_before_it(stacks: Stacks) -> None:
    # br_danfe's NF-e, then its cancellation, received the day they were issued (an NF-e dated over ten years
    # before its upload is refused): the account owes nothing. (The layer's holiday table starts in 2020, so no
    # ladder runs in 2015; the NF-e below is chased, and this one's cancellation is the same rule.)
    with stacks(now=DANFE_RECEIVED, documents=BUSINESS, parameters=SUBSCRIBERS) as stack:
        upload(stack, "incoming/danfe.xml", document(DANFE_NFE))
        assert (
            upload(stack, "incoming/danfe-cancelamento.xml", document(DANFE_CANCELLATION))["counts"]["cancelled"] == 1
        )
        danfe = the_account(stack, "Nome do Destinatario Pj Ltda")
        assert [e.facts["invoice"] for e in timeline(stack, danfe, "invoice.cancelled")] == ["1"]
        assert receivables(stack, danfe) == ()  # a cancelled NF-e is no receivable at all
        assert stack.failures == []

    with stacks(now=T0, documents=BUSINESS, parameters=SUBSCRIBERS) as stack:
        # The hospital supplier's NF-e 1687: its cancellation first (kept), then a live NF-e of the same customer,
        # overdue since 15/10, then NF-e 1687 itself
        medicos = fixture(*MEDICOS_NFE).read_bytes()
        early = cancellation_of(
            access_key_of(medicos),
            issuer_cnpj="75335849000115",
            protocol="126180042806970",
            at="2018-08-16T18:00:00-03:00",
        )
        found = upload(stack, "incoming/cancelamento-1687.xml", early)
        assert [w["reason"] for w in found["warnings"]] == [
            "cancellation of an NF-e not recorded yet: kept, and applied when the NF-e arrives"
        ]
        live = nfe_document(
            number="9001",
            customer_cnpj="37148260000119",
            customer_name="MEDICOS, HOSP, IMP. E EXP. LTDA",
            customer_email="compras@medicos.example",
            issued="2026-09-15",
            installments=[("001", "2026-10-15", "940.00")],
        )
        upload(stack, "incoming/nfe-9001.xml", live)
        assert upload(stack, "incoming/nfe-1687.xml", medicos)["counts"]["cancelled"] == 1
        account = the_account(stack, "MEDICOS, HOSP, IMP. E EXP. LTDA")
        assert [e.facts["invoice"] for e in timeline(stack, account, "invoice.cancelled")] == ["1687"]

        # Over the following days the live NF-e is chased, the cancelled ones never
        run_days(stack, date(2026, 11, 6))
        chased = collection_notices(stack, account)
        assert chased, "the live NF-e is overdue: it is chased"
        named = {invoice["invoice_id"] for notice in chased for invoice in notice["data"]["invoices"]}
        assert named == {f"nfe:{access_key_of(live)}"}
        assert not any(access_key_of(medicos) in json.dumps(notice) for notice in chased)
        assert stack.failures == []


def test_a_customer_known_by_name_alone_is_imported_with_a_warning_and_an_id_that_carries_no_name(
    stack: LocalStack,
) -> None:
    rows = ["Número;Cliente;Valor;Vencimento", "B-501;Padaria do Seu Joaquim;150,00;10/12/2026"]
    found = upload(stack, "incoming/balcao.csv", "\n".join(rows).encode())
    assert (found["status"], found["counts"]["created"], found["counts"]["rejected"]) == ("imported", 1, 0)
    assert found["counts"]["warnings"] == 1
    assert found["warnings"] == [
        {
            "line": 2,
            "message": "Cliente identificado só pelo nome: confira se não é um cliente que já existe",
            "code": "name_only",
            "reason": "customer identified by name only",
        }
    ]
    (alert,) = [d for d in stack.inbox("StaffAlertsTopic")[STAFF] if d.attributes["event_type"] == "invoices.imported"]
    assert alert.attributes["severity"] == "warning" and "Avisos a conferir: 1" in alert.message

    account = the_account(stack, "Padaria do Seu Joaquim")
    assert not any(word in account.lower() for word in ("padaria", "seu", "joaquim"))

    # The same name in the next file is the same customer
    rows[1] = "B-502;Padaria do Seu Joaquim;90,00;10/01/2027"
    found = upload(stack, "incoming/balcao-2.csv", "\n".join(rows).encode())
    assert (found["counts"]["created"], found["counts"]["accounts_opened"]) == (1, 0)
    assert opened_accounts(stack) == {"Padaria do Seu Joaquim": [account]}
