"""An uploaded invoice due on a weekend or holiday of the business's calendar is told to its customer with the
business day it moved to (the day the ladder counts from), and to the owner of a new customer the same way."""

from __future__ import annotations

import dataclasses
from datetime import date

from ponte.domain.bodies.invoices import InvoiceIssued, NewCustomerInvoice
from tests.unit.test_uploads_service import World
from tests.upload_support import csv_file, row

CHRISTMAS = date(2026, 12, 25)  # a Friday


def test_the_invoice_notice_names_the_business_day_a_due_date_on_a_holiday_moved_to() -> None:
    world = World(notices=True)
    world.settings = dataclasses.replace(world.settings, holidays=frozenset({CHRISTMAS}))
    world.upload(
        "incoming/dez.csv",
        csv_file(
            row(2001, installment="1", amount="100,00", due="25/12/2026"),  # a holiday: due Monday 28/12
            row(2001, installment="2", amount="100,00", due="09/01/2027"),  # a Saturday: due Monday 11/01
            row(2001, installment="3", amount="100,00", due="11/02/2027"),  # a Thursday: stays
        ),
    )

    [issued] = [n.body for n in world.ledger.notices if isinstance(n.body, InvoiceIssued)]
    assert [(i.due_date, i.effective_due_date) for i in issued.installments] == [
        (CHRISTMAS, date(2026, 12, 28)),
        (date(2027, 1, 9), date(2027, 1, 11)),
        (date(2027, 2, 11), None),
    ]
    [announced] = [n.body for n in world.store.outbox if isinstance(n.body, NewCustomerInvoice)]
    assert announced.installments == issued.installments
