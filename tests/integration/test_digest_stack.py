"""The collections digest on the local stack, as collections read it on Tuesday 1 December 2026 at 08:30.

Seeded on Monday 30 November at noon, with the staff directory set (Ana Souza and Bia Ramos own the accounts), and
evaluated by that day's sweep: Padaria Estrela (due 9 November; its final warning of 24 November named 30
November), Mercado Sol (due 12 November: its final warning goes out at noon naming Thursday 3 December, two business
days after the digest), Bar Lua (due 25 November), Café Norte (due 15 October), Oficina Sul (due 1 September), Loja
Azul (a promise to pay through 1 December) and Quiosque Verde (no e-mail or phone). Tuesday's 08:00 sweep suspends
Padaria Estrela; the 08:30 digest must name each of them where collections act on it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from infra.local import LocalStack
from ponte.adapters.dynamodb import DynamoStore
from ponte.domain.accounts import Contact, HoldKind, StaffHold, next_version
from ponte.domain.changes import AccountChange
from ponte.domain.dunning import SentNotice
from ponte.domain.ledger import InvoiceRecord
from ponte.services.accounts import OpenAccount, opening_change
from tests.collections_support import invoice, local
from tests.integration.conftest import BUSINESS, SUBSCRIBERS
from tests.staff_support import directory_document
from tests.support import Stacks

MONDAY = date(2026, 11, 30)
TUESDAY = date(2026, 12, 1)
JOAO = Contact(name="João Silva", email="joao@cliente.example", phone="+5511988887777")


@pytest.fixture
def monday(stacks: Stacks) -> Iterator[LocalStack]:
    with stacks(now=local(MONDAY, 12), parameters=SUBSCRIBERS, documents=BUSINESS) as stack:
        stack.client("ssm").put_parameter(
            Name=stack.physical_id("StaffDirectoryParameter"),
            Value=json.dumps(directory_document()),
            Type="String",
            Overwrite=True,
        )
        yield stack


def seed(
    stack: LocalStack,
    account_id: str,
    name: str,
    record: InvoiceRecord,
    *,
    owner: str = "ana",
    contact: Contact = JOAO,
    notices: tuple[SentNotice, ...] = (),
    **account: Any,
) -> None:
    """Open the account and record its invoice (and the notices already sent), due for evaluation now."""
    store = DynamoStore(stack.physical_id("Table"))
    opening = opening_change(
        OpenAccount(account_id=account_id, name=name, locale="pt-BR", contact=contact, owner=owner),
        now=stack.now,
        staff_locale="pt-BR",
        source="test",
    )
    store.commit(opening)
    updated = next_version(opening.account, next_evaluation_at=stack.now, **account)
    store.commit(
        AccountChange(account=updated, recorded_at=stack.now, expected_version=0, invoices=(record,), notices=notices)
    )
    stack.settle()


def test_the_digest_names_what_collections_act_on(monday: LocalStack) -> None:
    stack = monday
    warned = SentNotice(step_id="final-warning", sent_at=local(date(2026, 11, 24), 9), channel="email", deadline=MONDAY)
    promised = StaffHold(
        kind=HoldKind.PROMISE_TO_PAY,
        until=TUESDAY,
        set_by="sub-ana",
        set_by_name="Ana Souza",
        set_at=local(date(2026, 11, 25), 10),
        reason="paga na terça",
    )
    seed(stack, "padaria", "Padaria Estrela", invoice("NF-1", date(2026, 11, 9), 150_000), notices=(warned,))
    seed(stack, "mercado", "Mercado Sol", invoice("NF-2", date(2026, 11, 12), 80_000))
    seed(stack, "bar", "Bar Lua", invoice("NF-3", date(2026, 11, 25), 30_000), owner="bia")
    seed(stack, "cafe", "Café Norte", invoice("NF-4", date(2026, 10, 15), 200_000))
    seed(stack, "oficina", "Oficina Sul", invoice("NF-5", date(2026, 9, 1), 500_000))
    seed(stack, "loja", "Loja Azul", invoice("NF-6", date(2026, 10, 20), 40_000), holds=(promised,))
    seed(stack, "quiosque", "Quiosque Verde", invoice("NF-7", date(2026, 11, 2), 10_000), contact=Contact(name="Zé"))
    stack.run_schedule("DunningSweepDaily")  # Monday's evaluation: the final warnings go out at noon

    stack.advance_to(local(TUESDAY, 9))

    digests = [
        d for d in stack.published("StaffAlertsTopic", "email") if d.attributes["event_type"] == "collections.digest"
    ]
    [digest] = digests  # Tuesday's only: the stack started after Monday's
    assert digest.subject == "Cobranca em 01/12/2026: 7 contas em atraso, R$ 10.100,00"
    text = digest.message.replace("\xa0", " ")
    for expected in (
        "Carteira em atraso em 01/12/2026: 7 contas, R$ 10.100,00.",
        "De 1 a 15 dias de atraso: 1 conta, R$ 300,00\n- Bar Lua: R$ 300,00, 6 dias de atraso; responsável: Bia Ramos",
        "De 16 a 30 dias de atraso: 3 contas, R$ 2.400,00\n"
        "- Padaria Estrela: R$ 1.500,00, 22 dias de atraso; responsável: Ana Souza\n"
        "- Mercado Sol: R$ 800,00, 19 dias de atraso; responsável: Ana Souza\n"
        "- Quiosque Verde: R$ 100,00, 29 dias de atraso; responsável: Ana Souza",
        "De 31 a 60 dias de atraso: 2 contas, R$ 2.400,00\n"
        "- Café Norte: R$ 2.000,00, 47 dias de atraso; responsável: Ana Souza\n"
        "- Loja Azul: R$ 400,00, 42 dias de atraso; responsável: Ana Souza",
        "61 dias de atraso ou mais: 1 conta, R$ 5.000,00\n"
        "- Oficina Sul: R$ 5.000,00, 91 dias de atraso; responsável: Ana Souza",
        "Suspensas desde o último resumo: 1 conta\n"
        "- Padaria Estrela: R$ 1.500,00, 22 dias de atraso; responsável: Ana Souza; suspensa em 01/12/2026",
        "- Mercado Sol: R$ 800,00, 19 dias de atraso; responsável: Ana Souza; prazo: 03/12/2026",
        "Promessas de pagamento que vencem hoje ou venceram: 1 conta\n"
        "- Loja Azul: R$ 400,00, 42 dias de atraso; responsável: Ana Souza; promessa até 01/12/2026 (vence hoje)",
        "Clientes que os avisos não alcançam: 1 conta\n"
        "- Quiosque Verde: R$ 100,00, 29 dias de atraso; responsável: Ana Souza; sem e-mail nem telefone",
    ):
        assert expected in text, expected
    assert "padaria" not in text and "_" not in text  # ids and field names stay in the machine payload
    assert not stack.failures
