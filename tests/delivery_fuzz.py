"""Hostile deliveries for the webhook fuzz tests: real deliveries of each provider with one to three values made
hostile (huge or odd strings, negative, huge and non-finite amounts, wrong types, missing fields, nested nulls,
dates out of the calendar), each signed correctly, so that only the values are under test.

The real deliveries are the providers' published ones (`../shared/fixtures/webhooks`, the provider tests'
`payloads`), each wrapped as the event types Ponte acts on; the Standard Webhooks ones follow the schema in
`ponte.providers.standard`. A mutation is chosen by a seeded `random.Random`, so a run is the same every time and a
failure names the delivery and what was changed in it.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from infra.local.signing import asaas_headers, mercadopago_headers, standard_headers, stripe_headers
from tests.support import ROOT, fixture

PROVIDERS = ("stripe", "asaas", "standard", "mercadopago")
# Inside every hostile string: a refusal must never quote a value back (it may be someone's name or e-mail).
MARKER = "Zelia-PII-7731"
_PAYLOADS = ROOT / "tests" / "unit" / "providers" / "payloads"


@dataclass(frozen=True)
class Secrets:
    stripe: str = "whsec_fuzz_stripe"
    asaas: str = "asaas-fuzz-token"
    standard: str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # the Standard Webhooks libraries' test secret
    mercadopago: str = "mp-fuzz-secret"


@dataclass(frozen=True)
class Delivery:
    """One signed request, and what its provider's API answers about it (Mercado Pago's payment, Asaas's payment
    and customer), which the mutations reach too."""

    provider: str
    seed: str
    mutations: tuple[str, ...]
    body: bytes
    headers: dict[str, str]
    query: dict[str, str] = field(default_factory=dict)
    payment: Any = None
    customer: Any = None

    def describe(self) -> str:
        return f"{self.provider} {self.seed}: {'; '.join(self.mutations) or 'unchanged'}"


class Raw:
    """A JSON number as written, which Python's json cannot write: `1e999999`, `NaN`, a 400-digit exponent."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


_TEXTS: list[object] = [
    "",
    " ",
    "   \t",
    MARKER * 20,  # 280 characters
    MARKER + "x" * 3000,
    MARKER + "é" * 600,
    MARKER + "😀" * 700,  # 2.8 KB of UTF-8: over a sort key, near a partition key
    MARKER + "\U0001f600" * 300 + "ŀ" * 300,
    "\ud800" + MARKER,  # a lone surrogate: valid JSON, not encodable as UTF-8
    MARKER + "\x00nul",
    MARKER + "\u202egnp.exe",
    MARKER + "\nline\rbreak",
    '=HYPERLINK("https://x.example")' + MARKER,
    "REF#reference#" + MARKER,
    "LEDGER$",
    "١٢٣٤",
    "null",
    "https://" + MARKER + "x" * 2100,
    "javascript:alert(1)",
    " padded-" + MARKER + " ",
]
_NUMBERS: list[object] = [
    0,
    -1,
    -100,
    Raw("-0.01"),
    Raw("0.001"),
    Raw("12.5"),
    10**15,
    10**16,
    2**63,
    -(2**63),
    10**40,
    10**4000,
    Raw("1e999999"),
    Raw("-1e999999"),
    Raw("1E+400"),
    Raw("1e-999999"),
    Raw("NaN"),
    Raw("Infinity"),
    Raw("-Infinity"),
    Raw("-0"),
    "100",
    "-5",
    "1e999999",
    "NaN",
    "Infinity",
    "12,50",
]
_OTHERS: list[object] = [None, True, False, [], {}, [None], {"id": None}, [1, 2, 3], {"": ""}, [[[[[]]]]]]
_DATES: list[object] = [
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "31/12/9999",
    "00/00/0000",
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00+14:00",
    "2026-11-02T09:00:00",
    "9999-12-31 23:59:59",
    -62135596800,
    253402300799,
    10**12,
    10**18,
]
# The names of what Ponte reads: most mutations go there, the rest anywhere in the document.
_READ = {
    "id",
    "type",
    "event",
    "created",
    "dateCreated",
    "timestamp",
    "data",
    "object",
    "amount",
    "amount_total",
    "amount_due",
    "amount_paid",
    "amount_remaining",
    "amount_received",
    "amount_refunded",
    "unit_amount",
    "quantity",
    "currency",
    "currency_id",
    "value",
    "transaction_amount",
    "transaction_amount_refunded",
    "customer",
    "customer_details",
    "customer_email",
    "customer_name",
    "customer_phone",
    "customer_tax_ids",
    "billing_details",
    "email",
    "name",
    "phone",
    "mobilePhone",
    "cpfCnpj",
    "tax_id",
    "tax_ids",
    "locale",
    "metadata",
    "account_id",
    "owner",
    "reference",
    "invoice_reference",
    "external_reference",
    "externalReference",
    "client_reference_id",
    "invoice",
    "invoice_id",
    "invoice_number",
    "invoiceNumber",
    "invoice_series",
    "nfe",
    "nfe_access_key",
    "number",
    "payment",
    "payment_id",
    "payment_intent",
    "payment_status",
    "payment_method",
    "payment_method_types",
    "billingType",
    "payment_type_id",
    "payment_method_id",
    "description",
    "reason",
    "status",
    "status_detail",
    "plan",
    "items",
    "price",
    "nickname",
    "subscription",
    "subscription_id",
    "due_date",
    "dueDate",
    "date_created",
    "date_approved",
    "date_last_updated",
    "hosted_invoice_url",
    "invoiceUrl",
    "bankSlipUrl",
    "payment_url",
    "nossoNumero",
    "identificationField",
    "bank_slip",
    "payer",
    "first_name",
    "last_name",
    "identification",
    "area_code",
    "chargeback",
    "evidence",
    "previous_attributes",
    "lines",
    "started",
    "outcome",
}


def deliveries(provider: str, count: int, rng: random.Random, secrets: Secrets, at: datetime) -> Iterator[Delivery]:
    """`count` mutated deliveries of `provider`, round-robin over its real deliveries."""
    seeds = _SEEDS[provider]()
    for n in range(count):
        name, document = seeds[n % len(seeds)]
        mutated = copy.deepcopy(document)
        mutations = tuple(_mutate(mutated, rng) for _ in range(rng.choice((1, 1, 2, 3))))
        yield _SIGNERS[provider](name, mutated, mutations, rng, s=secrets, at=at)


def _mutate(document: dict[str, Any], rng: random.Random) -> str:
    # Mercado Pago's API answers with a payment object (anything else is its failure, not a sender's doing).
    paths = [path for path in _paths(document, ()) if path != ("payment",)]
    if not paths:
        return "nothing left to change"
    read = [path for path in paths if any(str(part) in _READ for part in path)]
    path = rng.choice(read if read and rng.random() < 0.8 else paths)
    parent = _at(document, path[:-1])
    last = path[-1]
    where = ".".join(str(part) for part in path)
    action = rng.random()
    if action < 0.12 and isinstance(parent, dict):
        del parent[last]
        return f"{where} removed"
    if action < 0.2 and isinstance(parent[last], dict | list):
        current = parent[last]
        for key in current if isinstance(current, dict) else range(len(current)):
            current[key] = None
        return f"{where}'s members made null"
    value = rng.choice(_pool(parent[last], rng))
    parent[last] = value
    return f"{where} = {_shown(value)}"


def _pool(current: object, rng: random.Random) -> list[object]:
    """Hostile values, mostly of the kind the field holds (a number for a number), often of another."""
    if isinstance(current, int | float) and not isinstance(current, bool):
        weights = (2, 6, 1, 1)
    elif isinstance(current, str) and current[:2].isdigit():
        weights = (3, 2, 1, 3)  # a date, an id of digits
    elif isinstance(current, str):
        weights = (6, 2, 1, 1)
    else:
        weights = (3, 3, 3, 1)
    return rng.choices((_TEXTS, _NUMBERS, _OTHERS, _DATES), weights=weights)[0]


def _paths(node: object, prefix: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*prefix, index)
            yield from _paths(value, (*prefix, index))


def _at(node: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:30]}...({len(text)} chars)"


def dumps(document: object, rng: random.Random) -> bytes:
    """JSON text with `Raw` numbers written as they are; sometimes non-ASCII characters travel as UTF-8, sometimes
    as escapes (a lone surrogate then makes bytes that are not UTF-8, as a broken sender would)."""
    raws: list[str] = []

    def placeholders(node: object) -> object:
        if isinstance(node, Raw):
            raws.append(node.text)
            return f"\x01RAW{len(raws) - 1}\x01"
        if isinstance(node, dict):
            return {key: placeholders(value) for key, value in node.items()}
        if isinstance(node, list):
            return [placeholders(value) for value in node]
        return node

    ascii_only = rng.random() < 0.7
    text = json.dumps(placeholders(document), ensure_ascii=ascii_only)
    for n, raw in enumerate(raws):
        text = text.replace(f'"\\u0001RAW{n}\\u0001"', raw)
    return text.encode("utf-8", "surrogatepass")


def api_answer(document: object) -> Any:
    """What a provider's API client makes of `document`: JSON parsed with exact decimals, as the adapters do; a
    document that is not JSON any more (a 5000-digit number) is given as None."""
    try:
        return json.loads(dumps(document, random.Random(0)), parse_float=Decimal)
    except ValueError:
        return None


# --- the real deliveries ---


def _webhooks(*parts: str) -> Path:
    return fixture("webhooks", *parts)


def _json(path: Path) -> Any:
    return json.loads(path.read_text())


def _stripe_seeds() -> list[tuple[str, dict[str, Any]]]:
    extract = _webhooks("stripe", "fixtures-extract")
    mock = _json(_webhooks("stripe", "fixtures3.json"))["resources"]
    metadata = {
        "account_id": "padaria-estrela",
        "owner": "ana",
        "invoice_number": "F-12",
        "nfe": "35240612345678000195550010000012341000012345",
        "reference": "PED-981",
    }
    intent = _json(extract / "payment_intent.json") | {"metadata": metadata, "receipt_email": "joao@padaria.example"}
    invoice = _json(extract / "invoice.json") | {"metadata": metadata, "customer_name": "Padaria Estrela Ltda"}
    charge = _json(extract / "charge.json") | {"amount_refunded": 100, "metadata": metadata}
    dispute = _json(extract / "dispute.json") | {"metadata": metadata}
    subscription = _json(extract / "subscription.json") | {"metadata": metadata}
    customer = _json(extract / "customer.json") | {"metadata": metadata}
    session = mock["checkout.session"] | {
        "payment_status": "paid",
        "amount_total": 2000,
        "currency": "brl",
        "client_reference_id": "pedido-77",
        "payment_intent": "pi_checkout_1",
        "payment_method_types": ["pix"],
        "metadata": metadata,
    }
    objects = [
        ("payment_intent.succeeded", intent),
        ("payment_intent.payment_failed", intent),
        ("invoice.paid", invoice | {"amount_paid": 1000, "number": "7FE1103-0001"}),
        ("invoice.finalized", invoice),
        ("invoice.payment_failed", invoice),
        ("invoice.overdue", invoice),
        ("charge.refunded", charge),
        ("charge.dispute.created", dispute),
        ("charge.dispute.closed", dispute | {"status": "lost"}),
        ("customer.subscription.updated", subscription),
        ("customer.subscription.deleted", subscription),
        ("customer.created", customer),
        ("checkout.session.completed", session),
    ]
    seeds: list[tuple[str, dict[str, Any]]] = []
    for n, (kind, obj) in enumerate(objects):
        data: dict[str, Any] = {"object": obj}
        if kind == "customer.subscription.updated":
            data["previous_attributes"] = {"status": "trialing"}  # a real change, not a renewal
        event = {"id": f"evt_fuzz_{n}", "object": "event", "type": kind, "created": 1761955200, "data": data}
        seeds.append((kind, event))
    seeds.append(("dotnet customer.created", _json(_webhooks("stripe", "dotnet_event_test_signature.json"))))
    return seeds


def _asaas_seeds() -> list[tuple[str, dict[str, Any]]]:
    received = _json(_webhooks("asaas", "PAYMENT_RECEIVED.json"))
    confirmed = _json(_PAYLOADS / "asaas" / "PAYMENT_CONFIRMED.json")
    subscription = _json(_webhooks("asaas", "SUBSCRIPTION_CREATED.json"))
    customer = {
        "id": received["payment"]["customer"],
        "name": "Padaria Estrela Ltda",
        "email": "financeiro@padaria.example",
        "mobilePhone": "11987654321",
        "cpfCnpj": "12.345.678/0001-95",
        "externalReference": "padaria-estrela",
    }
    payments = [
        "PAYMENT_RECEIVED",
        "PAYMENT_CREATED",
        "PAYMENT_OVERDUE",
        "PAYMENT_REFUNDED",
        "PAYMENT_CHARGEBACK_REQUESTED",
        "PAYMENT_AWAITING_CHARGEBACK_REVERSAL",
        "PAYMENT_CREDIT_CARD_CAPTURE_REFUSED",
    ]
    seeds = [(kind, {"delivery": received | {"event": kind}, "customer": customer}) for kind in payments]
    seeds.append(("PAYMENT_CONFIRMED", {"delivery": confirmed, "customer": customer | {"id": "cus_000005219613"}}))
    seeds.append(("SUBSCRIPTION_CREATED", {"delivery": subscription, "customer": customer}))
    seeds.append(("SUBSCRIPTION_DELETED", {"delivery": subscription | {"event": "SUBSCRIPTION_DELETED"}}))
    return seeds


def _standard_seeds() -> list[tuple[str, dict[str, Any]]]:
    customer = {
        "id": "c-42",
        "reference": "ACME-7",
        "name": "Acme Comércio",
        "email": "ap@acme.example",
        "phone": "+5511987654321",
        "locale": "pt-BR",
        "tax_id": "12.345.678/0001-95",
    }
    payment = {
        "customer": customer,
        "amount": "1234.50",
        "currency": "BRL",
        "payment_method": "pix",
        "payment_id": "p-1",
        "invoice_id": "i-1",
        "invoice_number": "2024-001",
        "invoice_reference": "PED-981",
        "invoice_series": "1",
        "nfe_access_key": "35240612345678000195550010000012341000012345",
        "bank_slip": "23790.50400 40963.225504 90000.633306 7 98760000015000",
        "payment_url": "https://pay.example/i/2024-001",
        "description": "Plano Pro",
        "owner": "maria",
    }
    kinds: list[tuple[str, dict[str, Any]]] = [
        ("payment.received", payment),
        ("refund.issued", payment),
        ("payment.failed", payment | {"reason": "insufficient funds"}),
        ("chargeback.opened", payment | {"reason": "fraudulent"}),
        ("chargeback.closed", payment | {"outcome": "lost"}),
        ("invoice.issued", payment | {"due_date": "2026-11-30"}),
        ("invoice.overdue", payment | {"due_date": "2026-10-30"}),
        (
            "subscription.changed",
            {"customer": customer, "subscription_id": "s-1", "started": True, "status": "active", "plan": "Pro"}
            | {"amount": 99, "currency": "BRL"},
        ),
        ("subscription.cancelled", {"customer": customer, "subscription_id": "s-1", "plan": "Pro", "reason": "price"}),
        ("customer.created", {"customer": customer, "owner": "maria"}),
    ]
    return [
        (
            kind,
            {"message_id": f"msg_fuzz_{n}", "body": {"type": kind, "timestamp": "2026-11-02T11:59:00Z", "data": data}},
        )
        for n, (kind, data) in enumerate(kinds)
    ]


def _mercadopago_seeds() -> list[tuple[str, dict[str, Any]]]:
    payment = _json(_webhooks("mercadopago", "payment_get.sdk-mock.json"))
    payment |= {
        "metadata": {"owner": "ana"},
        "payer": payment["payer"]
        | {"first_name": "João", "last_name": "Silva", "phone": {"area_code": "11", "number": "987654321"}},
    }
    notification = {
        "action": "payment.updated",
        "api_version": "v1",
        "type": "payment",
        "id": "987",
        "data": {"id": str(payment["id"])},
    }
    states = [
        ("approved", {}),
        ("approved, partly refunded", {"transaction_amount_refunded": 10.5}),
        ("refunded", {"status": "refunded", "transaction_amount_refunded": 58.8}),
        ("rejected", {"status": "rejected", "status_detail": "cc_rejected_insufficient_amount"}),
        ("in_mediation", {"status": "in_mediation"}),
        ("charged_back, settled", {"status": "charged_back", "status_detail": "settled"}),
        ("boleto pending", {"status": "pending", "payment_type_id": "ticket", "payment_method_id": "bolbradesco"}),
    ]
    return [(name, {"notification": notification, "payment": payment | changes}) for name, changes in states]


_SEEDS: dict[str, Callable[[], list[tuple[str, dict[str, Any]]]]] = {
    "stripe": _stripe_seeds,
    "asaas": _asaas_seeds,
    "standard": _standard_seeds,
    "mercadopago": _mercadopago_seeds,
}


# --- signing, as each provider does ---


def _stripe(
    name: str, doc: dict[str, Any], mutations: tuple[str, ...], rng: random.Random, *, s: Secrets, at: datetime
) -> Delivery:
    body = dumps(doc, rng)
    return Delivery("stripe", name, mutations, body, stripe_headers(body, s.stripe, at))


def _asaas(
    name: str, doc: dict[str, Any], mutations: tuple[str, ...], rng: random.Random, *, s: Secrets, at: datetime
) -> Delivery:
    delivery = doc.get("delivery")
    body = dumps(delivery, rng)
    # Asaas's payments API answers with the payment the delivery carries, as Asaas sends it (mutations included):
    # the values under test reach Ponte through the API, which is where Ponte reads a payment event's facts.
    payment = api_answer(delivery.get("payment")) if isinstance(delivery, dict) else None
    customer = api_answer(doc.get("customer"))
    return Delivery("asaas", name, mutations, body, asaas_headers(s.asaas), payment=payment, customer=customer)


def _standard(
    name: str, doc: dict[str, Any], mutations: tuple[str, ...], rng: random.Random, *, s: Secrets, at: datetime
) -> Delivery:
    body = dumps(doc.get("body"), rng)
    message_id = doc.get("message_id")
    # A header carries text only, and HTTP carries Latin-1: another id is sent as the JSON text it would be.
    header_id = message_id if isinstance(message_id, str) else dumps(message_id, rng).decode("utf-8", "replace")
    header_id = header_id.encode("latin-1", "replace").decode("latin-1")
    return Delivery("standard", name, mutations, body, standard_headers(body, s.standard, at, header_id))


def _mercadopago(
    name: str, doc: dict[str, Any], mutations: tuple[str, ...], rng: random.Random, *, s: Secrets, at: datetime
) -> Delivery:
    notification = doc.get("notification")
    body = dumps(notification, rng)
    data = notification.get("data") if isinstance(notification, dict) else None
    given = data.get("id") if isinstance(data, dict) else None
    data_id = str(given) if isinstance(given, str | int) and not isinstance(given, bool) else "17014025134"
    data_id = data_id.encode("latin-1", "replace").decode("latin-1")[:4096]
    headers = mercadopago_headers(data_id, "req-fuzz-1", s.mercadopago, at)
    query = {"data.id": data_id, "type": "payment"}
    return Delivery("mercadopago", name, mutations, body, headers, query, payment=api_answer(doc.get("payment")))


_SIGNERS = {"stripe": _stripe, "asaas": _asaas, "standard": _standard, "mercadopago": _mercadopago}
