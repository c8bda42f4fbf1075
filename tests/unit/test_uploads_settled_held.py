"""A receivables export uploaded week after week says which installments were paid or cancelled since: those of
an invoice Ponte holds are no longer owed, as the back office's word, and one it lists as owed again (a payment
reversed) is owed again. The money is counted once: a payment Ponte holds for the installment pays it first."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from ponte.domain.accounts import Account, Contact
from ponte.domain.events import SaleLinks
from ponte.domain.invoices import Installment, Invoice, InvoiceKind, Party, SourceFormat, erp_invoice_key
from ponte.domain.ledger import InstallmentReport, InvoiceRecord, Ledger, PaymentRecord
from ponte.domain.money import Money
from ponte.services.uploads import continue_upload
from tests.support import T0
from tests.unit.test_erp_receivable_of_an_nfe import BUYER, NFE, RECEIVED
from tests.unit.test_uploads_service import World

HEADER = "Número;Parcela;Cliente;CNPJ;Valor;Vencimento;Situação\n"
# NF-e 1 of R$ 76,67 in three duplicatas, as an ERP's book lists it (see test_erp_receivable_of_an_nfe).
DUPLICATAS = [
    (1, "25,56", "13/02/2015", "aberto"),
    (2, "25,56", "15/03/2015", "aberto"),
    (3, "25,55", "14/04/2015", "aberto"),
]


def receivables(*rows: str) -> bytes:
    header = "Número;Série;Parcela;Cliente;CNPJ;E-mail;Valor;Vencimento;Situação\n"
    return (header + "".join(f"{row}\n" for row in rows)).encode()


ROW = "{number};{n};Padaria Boa Vista;12.345.678/0001-95;100,00;10/{m}/2026;{status}\n"
WEEK = timedelta(days=7)


def export(*rows: tuple[int, int, int, str]) -> bytes:
    return (HEADER + "".join(ROW.format(number=a, n=b, m=c, status=d) for a, b, c, d in rows)).encode()


def owed(world: World) -> dict[tuple[str, int], int]:
    (ledger,) = world.store.ledgers.values()
    return {(r.invoice_id.rsplit(":", 1)[-1], r.installment): r.outstanding.amount for r in ledger.receivables()}


def entries(world: World) -> list[dict[str, str | int]]:
    return [dict(e.facts) for e in world.store.timeline if e.what == "invoice.settled_by_upload"]


def test_an_invoice_the_next_export_says_was_paid_is_no_longer_owed_and_owed_again_when_reversed() -> None:
    world = World()
    world.upload("incoming/receber.csv", export((1001, 1, 11, "aberto"), (1002, 1, 11, "aberto")))
    assert owed(world) == {("1001", 1): 10000, ("1002", 1): 10000}

    # Next week: 1001 paid (its only row says so), 1002 still open.
    outcome = world.upload("incoming/receber-2.csv", export((1001, 1, 11, "pago"), (1002, 1, 11, "aberto")), T0 + WEEK)
    assert owed(world) == {("1001", 1): 0, ("1002", 1): 10000}
    assert (outcome.counts.created, outcome.counts.unchanged, outcome.settled) == (0, 1, 1)
    key = erp_invoice_key(None, InvoiceKind.INVOICE, "1001")
    assert entries(world) == [{"invoice": key, "paid": "1"}]
    (ledger,) = world.store.ledgers.values()
    paid = ledger.receivables()[0].paid
    assert [(part.at, part.amount) for part in paid] == [(T0 + WEEK, 10000)]

    # The same export again changes nothing.
    world.upload("incoming/receber-2b.csv", export((1001, 1, 11, "pago"), (1002, 1, 11, "aberto")), T0 + WEEK)
    assert len(entries(world)) == 1

    # The payment was reversed: the export lists it as owed again.
    world.upload("incoming/receber-3.csv", export((1001, 1, 11, "estornado"), (1002, 1, 11, "aberto")), T0 + 2 * WEEK)
    assert owed(world) == {("1001", 1): 10000, ("1002", 1): 10000}
    assert entries(world)[-1] == {"invoice": key, "owed_again": "1"}


def test_a_cancelled_installment_is_owed_no_more_and_a_settled_day_dates_the_payment() -> None:
    world = World()
    world.upload("incoming/receber.csv", export((1001, 1, 11, "aberto"), (1001, 2, 12, "aberto")))
    header = "Número;Parcela;Cliente;CNPJ;Valor;Vencimento;Data liquidação;Data cancelamento\n"
    rows = (
        "1001;1;Padaria Boa Vista;12.345.678/0001-95;100,00;10/11/2026;09/11/2026;\n"
        "1001;2;Padaria Boa Vista;12.345.678/0001-95;100,00;10/12/2026;;20/11/2026\n"
    )
    world.upload("incoming/receber-2.csv", (header + rows).encode(), datetime(2026, 11, 30, 15, tzinfo=UTC))
    assert owed(world) == {("1001", 1): 0}  # the second installment is gone
    (record,) = world.invoices().values()
    assert [(r.installment, r.state, r.on) for r in record.reported] == [
        ("1", "paid", date(2026, 11, 9)),
        ("2", "cancelled", date(2026, 11, 20)),
    ]
    (ledger,) = world.store.ledgers.values()
    (part,) = ledger.receivables()[0].paid
    assert part.at == datetime(2026, 11, 9, 12, tzinfo=UTC)


def test_a_customer_no_account_is_found_for_is_not_opened() -> None:
    world = World()
    outcome = world.upload("incoming/receber.csv", export((1001, 1, 11, "pago")))
    assert world.store.ledgers == {}
    assert (outcome.counts.created, outcome.settled, outcome.rejected) == (0, 1, 0)


def test_an_installment_numbered_otherwise_than_the_invoice_ponte_holds_is_left_with_a_report_line() -> None:
    world = World()
    world.upload("incoming/receber.csv", export((1001, 1, 11, "aberto"), (1001, 2, 12, "aberto")))
    rows = ROW.format(number=1001, n="1/2", m=11, status="pago") + ROW.format(
        number=1001, n="2/2", m=12, status="aberto"
    )
    world.upload("incoming/receber-2.csv", (HEADER + rows).encode(), T0 + WEEK)
    assert owed(world) == {("1001", 1): 10000, ("1001", 2): 10000}
    report = world.objects.report("processed/receber-2.csv.report.json")
    assert [w["code"] for w in report["warnings"]] == ["settled_held"]


# The money is counted once, whatever came first.

ACCOUNT = Account(account_id="acme", name="Acme", locale="pt-BR", contact=Contact(name="Ana"), created_at=T0)


def invoice(number: str, due: date, *, reported: tuple[InstallmentReport, ...] = ()) -> InvoiceRecord:
    money = Money(amount=10000, currency="BRL")
    made = Invoice(
        key=erp_invoice_key(None, InvoiceKind.INVOICE, number),
        number=number,
        kind=InvoiceKind.INVOICE,
        issue_date=date(2026, 10, 1),
        currency="BRL",
        total=money,
        installments=(Installment(number="1", due_date=due, amount=money),),
        customer=Party(name="Acme"),
        source=SourceFormat.CSV,
    )
    return InvoiceRecord(invoice=made, recorded_at=T0, origin="upload:a#2", reported=reported)


PAID_BY_THE_BACK_OFFICE = (InstallmentReport(installment="1", state="paid", said_at=T0 + WEEK, origin="upload:b#2"),)


def payment(links: SaleLinks | None = None) -> PaymentRecord:
    return PaymentRecord(
        provider="asaas",
        payment_id="pay_1",
        amount=Money(amount=10000, currency="BRL"),
        received_at=T0 + timedelta(days=3),
        links=links or SaleLinks(),
    )


def outstanding(ledger: Ledger) -> dict[str, int]:
    return {str(r.label): r.outstanding.amount for r in ledger.receivables()}


def test_a_payment_ponte_could_not_tie_is_the_money_of_the_installment_the_back_office_reports_paid() -> None:
    # 1000 is older and unpaid; the customer paid 1001 by Pix without a reference, and the ERP says so.
    older = invoice("1000", date(2026, 10, 10))
    reported = invoice("1001", date(2026, 11, 10), reported=PAID_BY_THE_BACK_OFFICE)
    ledger = Ledger(account=ACCOUNT, invoices=(older, reported), payments=(payment(),))
    assert outstanding(ledger) == {"1000": 10000, "1001": 0}
    (part,) = next(r for r in ledger.receivables() if r.label == "1001").paid
    assert part.at == T0 + timedelta(days=3), "paid by the payment, not by the report"
    assert ledger.allocate().credit == {}


def test_a_payment_tied_to_the_invoice_pays_it_and_the_report_adds_nothing() -> None:
    reported = invoice("1001", date(2026, 11, 10), reported=PAID_BY_THE_BACK_OFFICE)
    later = invoice("1002", date(2026, 12, 10))
    ledger = Ledger(
        account=ACCOUNT,
        invoices=(reported, later),
        payments=(payment(SaleLinks(invoice_number="1001")),),
    )
    assert outstanding(ledger) == {"1001": 0, "1002": 10000}
    assert ledger.allocate().credit == {}


def test_without_a_payment_the_report_pays_the_installment() -> None:
    reported = invoice("1001", date(2026, 11, 10), reported=PAID_BY_THE_BACK_OFFICE)
    ledger = Ledger(account=ACCOUNT, invoices=(reported, invoice("1002", date(2026, 12, 10))))
    assert outstanding(ledger) == {"1001": 0, "1002": 10000}
    (part,) = ledger.receivables()[0].paid
    assert (part.at, part.amount) == (T0 + WEEK, 10000)


# What the review of the first version found.


def test_a_file_that_cannot_say_what_was_paid_withdraws_no_report() -> None:
    world = World()
    world.upload("incoming/receber.csv", export((1001, 1, 11, "aberto")))
    world.upload("incoming/receber-2.csv", export((1001, 1, 11, "pago")), T0 + WEEK)
    # A sales export (no status, settled-on or amount-paid column) lists the invoice as it was issued.
    plain = (
        "Número;Parcela;Cliente;CNPJ;Valor;Vencimento\n1001;1;Padaria Boa Vista;12.345.678/0001-95;100,00;10/11/2026\n"
    )
    world.upload("incoming/vendas.csv", plain.encode(), T0 + 2 * WEEK)
    assert owed(world) == {("1001", 1): 0}
    assert len(entries(world)) == 1


def test_a_file_sent_late_does_not_undo_what_a_later_one_said() -> None:
    world = World()
    world.upload("incoming/receber.csv", export((1001, 1, 11, "aberto")))
    world.upload("incoming/receber-3.csv", export((1001, 1, 11, "pago")), T0 + 2 * WEEK)
    world.upload("incoming/receber-2.csv", export((1001, 1, 11, "aberto")), T0 + WEEK)  # read after, received before
    assert owed(world) == {("1001", 1): 0}


def test_a_payment_made_after_the_report_pays_another_installment() -> None:
    two = invoice("1001", date(2026, 11, 10)).invoice
    installments = (two.installments[0], Installment(number="2", due_date=date(2026, 12, 10), amount=two.total))
    record = InvoiceRecord(
        invoice=two.model_copy(update={"installments": installments, "total": Money(amount=20000, currency="BRL")}),
        recorded_at=T0,
        origin="upload:a#2",
        reported=PAID_BY_THE_BACK_OFFICE,
    )
    later = payment(SaleLinks(invoice_number="1001")).model_copy(update={"received_at": T0 + 5 * WEEK})
    ledger = Ledger(account=ACCOUNT, invoices=(record,), payments=(later,))
    assert [r.outstanding.amount for r in ledger.receivables()] == [0, 0]
    # Unreferenced, and another invoice open: the payment is that invoice's, not the reported one's.
    reported = invoice("1001", date(2026, 11, 10), reported=PAID_BY_THE_BACK_OFFICE)
    other = invoice("1002", date(2026, 12, 10))
    unreferenced = payment().model_copy(update={"received_at": T0 + 5 * WEEK})
    assert outstanding(Ledger(account=ACCOUNT, invoices=(reported, other), payments=(unreferenced,))) == {
        "1001": 0,
        "1002": 0,
    }


def test_a_credit_note_is_not_the_money_of_an_installment_reported_paid() -> None:
    reported = invoice("1001", date(2026, 11, 10), reported=PAID_BY_THE_BACK_OFFICE)
    other = invoice("1002", date(2026, 12, 10))
    note = invoice("NC-1", date(2026, 10, 20))
    note = note.model_copy(
        update={
            "invoice": note.invoice.model_copy(
                update={
                    "kind": InvoiceKind.CREDIT_NOTE,
                    "total": Money(amount=-10000, currency="BRL"),
                    "installments": (),
                }
            )
        }
    )
    assert outstanding(Ledger(account=ACCOUNT, invoices=(reported, other, note))) == {"1001": 0, "1002": 0}


def test_an_installment_reported_paid_with_no_day_counts_as_paid_on_time() -> None:
    late = InstallmentReport(installment="1", state="paid", said_at=T0 + 8 * WEEK, origin="upload:b#2")
    ledger = Ledger(account=ACCOUNT, invoices=(invoice("1001", date(2026, 11, 10), reported=(late,)),))
    (part,) = ledger.receivables()[0].paid
    assert part.at == datetime(2026, 11, 10, 12, tzinfo=UTC)


def test_an_installment_split_by_a_part_payment_is_left_with_a_report_line() -> None:
    world = World()
    world.upload("incoming/receber.csv", export((1001, 1, 11, "aberto")))
    rows = ROW.format(number=1001, n=1, m=11, status="pago").replace("100,00", "60,00") + ROW.format(
        number=1001, n=1, m=11, status="aberto"
    ).replace("100,00", "40,00")
    world.upload("incoming/receber-2.csv", (HEADER + rows).encode(), T0 + WEEK)
    assert owed(world) == {("1001", 1): 10000}
    report = world.objects.report("processed/receber-2.csv.report.json")
    assert [w["code"] for w in report["warnings"]] == ["settled_held"]


def test_a_file_that_numbers_no_installment_reports_only_on_an_invoice_of_one() -> None:
    world = World()
    world.upload(
        "incoming/receber.csv", export((1001, 1, 11, "aberto"), (1001, 2, 12, "aberto"), (1002, 1, 11, "aberto"))
    )
    header = "Número;Cliente;CNPJ;Valor;Vencimento;Situação\n"
    rows = (
        "1001;Padaria Boa Vista;12.345.678/0001-95;100,00;10/12/2026;pago\n"
        "1002;Padaria Boa Vista;12.345.678/0001-95;100,00;10/11/2026;pago\n"
    )
    world.upload("incoming/receber-2.csv", (header + rows).encode(), T0 + WEEK)
    assert owed(world) == {("1001", 1): 10000, ("1001", 2): 10000, ("1002", 1): 0}
    report = world.objects.report("processed/receber-2.csv.report.json")
    assert [(w["code"], w["line"]) for w in report["warnings"]] == [("settled_held", 2)]


def test_a_wholly_settled_invoice_numbered_otherwise_gets_a_report_line() -> None:
    world = World()
    world.upload("incoming/receber.csv", export((1001, 1, 11, "aberto"), (1001, 2, 12, "aberto")))
    rows = ROW.format(number=1001, n="1/2", m=11, status="pago") + ROW.format(number=1001, n="2/2", m=12, status="pago")
    world.upload("incoming/receber-2.csv", (HEADER + rows).encode(), T0 + WEEK)
    assert owed(world) == {("1001", 1): 10000, ("1001", 2): 10000}
    report = world.objects.report("processed/receber-2.csv.report.json")
    assert [w["code"] for w in report["warnings"]] == ["settled_held"]


def test_wholly_settled_invoices_are_reported_a_window_at_a_time_and_once_across_runs() -> None:
    world = World()
    opened = [(1000 + n, 1, 11, "aberto") for n in range(150)]
    world.upload("incoming/receber.csv", export(*opened))
    world.time_left = 1  # under the margin: each run stops after one window
    outcome = world.upload("incoming/receber-2.csv", export(*[(a, b, c, "pago") for a, b, c, _ in opened]), T0 + WEEK)
    assert outcome.status == "continued"
    (progress,) = world.queue.sent
    assert progress.settled_reported == 100
    while world.queue.sent:
        outcome = continue_upload(
            world.queue.sent.pop(0), ports=world.ports, settings=world.settings, time_left=lambda: 1
        )
    assert outcome.status == "imported"
    assert set(owed(world).values()) == {0}
    assert len(entries(world)) == 150


def test_a_row_that_stands_for_an_nfe_is_not_reported_and_a_report_line_says_to_record_its_payment() -> None:
    world = World()
    world.upload("incoming/nfe-1.xml", NFE.read_bytes(), RECEIVED)
    book = [f"000001;001;{n}/3;{BUYER};{value};{due};{status}" for n, value, due, status in DUPLICATAS]
    world.upload("incoming/receber.csv", receivables(*book), RECEIVED)
    paid = [row.replace(";aberto", ";pago") if ";1/3;" in row else row for row in book]
    world.upload("incoming/receber-2.csv", receivables(*paid), RECEIVED + WEEK)
    (ledger,) = world.store.ledgers.values()
    assert sum(r.outstanding.amount for r in ledger.receivables()) == 7667, "the NF-e's duplicatas, still owed"
    assert all(not record.reported for record in ledger.invoices)
    report = world.objects.report("processed/receber-2.csv.report.json")
    assert [w["code"] for w in report["warnings"]] == ["settled_held"]
