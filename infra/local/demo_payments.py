"""The demo's chapter on payment webhooks: signed deliveries through the local HTTP API, as providers send them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from infra.local.signing import asaas_headers, stripe_headers

if TYPE_CHECKING:
    from infra.local.demo import Printer
    from infra.local.fake_asaas import FakeAsaas
    from infra.local.stack import LocalStack

# Values for the local emulator only; a deployed stack reads its secrets from Secrets Manager.
STRIPE_SECRET = "whsec_demo_only_not_a_real_secret"  # noqa: S105
ASAAS_TOKEN = "demo-asaas-token"  # noqa: S105
SECRETS: dict[str, str | list[str]] = {"stripe": STRIPE_SECRET, "asaas": ASAAS_TOKEN}


def _checkout(stack: LocalStack) -> bytes:
    session = {
        "id": "cs_demo_1",
        "object": "checkout.session",
        "amount_total": 19_900,
        "currency": "brl",
        "payment_status": "paid",
        "customer": "cus_demo_mercearia",
        "customer_details": {
            "name": "Mercearia Boa Vista",
            "email": "compras@boavista.example",
            "phone": "+5511977776666",
        },
        "metadata": {"account_id": "mercearia-boa-vista", "owner": "ana", "plan": "Plano Loja Online (mensal)"},
        "payment_intent": "pi_demo_1",
        "invoice": "in_demo_1",
        "payment_method_types": ["card"],
    }
    return _stripe_event("evt_demo_checkout", "checkout.session.completed", session, stack)


def _stripe_event(event_id: str, kind: str, obj: dict[str, Any], stack: LocalStack) -> bytes:
    created = int(stack.now.timestamp())
    return json.dumps(
        {"id": event_id, "object": "event", "type": kind, "created": created, "data": {"object": obj}}
    ).encode()


# The customer as Asaas's API gives it (`GET /v3/customers/{id}`): the webhook's payment names only its id.
OFICINA = {
    "name": "Oficina do Zé",
    "email": "ze@oficinadoze.example",
    "mobilePhone": "11966665555",
    "cpfCnpj": "24971563792",
    "externalReference": "oficina-do-ze",
}


def _asaas_payment(stack: LocalStack) -> bytes:
    return json.dumps(
        {
            "id": "evt_demo_asaas_1",
            "event": "PAYMENT_RECEIVED",
            "dateCreated": stack.now.strftime("%Y-%m-%d %H:%M:%S"),
            "payment": {
                "id": "pay_demo_1",
                "customer": "cus_demo_oficina",
                "value": 350.00,
                "status": "RECEIVED",
                "billingType": "PIX",
                "dueDate": stack.now.strftime("%Y-%m-%d"),
                "externalReference": "oficina-do-ze",
                "description": "Manutenção mensal",
            },
        }
    ).encode()


def chapter_payments(stack: LocalStack, out: Printer, *, asaas: FakeAsaas) -> None:
    from infra.local.demo import check  # noqa: PLC0415

    out.chapter("2. A new customer pays: webhooks, verified, recorded once, sales told at once")

    def deliver(label: str, provider: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        status, _, answer = stack.http("POST", f"/webhooks/{provider}", headers=headers, body=body)
        out.line(f"{label:58} -> HTTP {status} {answer.decode()}")
        return status, json.loads(answer)

    checkout = _checkout(stack)
    signed = stripe_headers(checkout, STRIPE_SECRET, stack.now)
    status, answer = deliver("Stripe checkout.session.completed (signed)", "stripe", checkout, signed)
    check(status == 200 and answer["account_id"] == "mercearia-boa-vista", "the signed Stripe delivery is applied")
    status, answer = deliver("the same delivery again (Stripe retries)", "stripe", checkout, signed)
    check(status == 200 and answer["duplicate"], "a duplicate is acknowledged and changes nothing")
    forged = stripe_headers(checkout, "whsec_someone_else", stack.now)
    status, _ = deliver("a forged delivery (signed with another secret)", "stripe", checkout, forged)
    check(status == 401, "a forged delivery is refused")
    # Ponte acts on it as Asaas's API confirms it, and asks the API who the new customer is.
    paid = asaas.knows(_asaas_payment(stack), customer=OFICINA)
    status, answer = deliver("Asaas PAYMENT_RECEIVED (access token)", "asaas", paid, asaas_headers(ASAAS_TOKEN))
    check(status == 200 and answer["account_id"] == "oficina-do-ze", "the Asaas payment is applied")

    alerts = [
        m for m in stack.published("StaffAlertsTopic", protocol="email") if m.attributes["event_type"] == "customer.new"
    ]
    print(f"\n   Sales alerts for new customers: {len(alerts)}")
    for alert in alerts:
        out.delivery(alert)
    check(len(alerts) == 2, "one new-customer alert per new paying customer, none for the duplicate")
    first = alerts[0].message.replace("\xa0", " ")
    check("Plano Loja Online" in first and "R$ 199,00" in first, "the alert says what was sold, and for how much")
    check("Cliente: Oficina do Zé" in alerts[1].message, "the Asaas customer is named as Asaas's API knows them")
