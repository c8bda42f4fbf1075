"""Which recorded invoice a payment's (or a provider invoice's) sale links name, rule by rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from ponte.domain.events import SaleLinks
from ponte.domain.invoices import Installment, Invoice, InvoiceKind, Party, SourceFormat
from ponte.domain.matching import Match, MatchRule, by_links, normal
from ponte.domain.money import Money

KEY_A = "35261112345678000195550010000001231000001234"
KEY_B = "35261112345678000195550020000001231000005678"
# A digitable line (linha digitável) whose digits carry the nosso número 4412345678 in one run.
DIGITABLE_LINE = "00190.00009 04412.345678 90000.000002 1 92340000010000"
EXPLICIT, NUMBER, ACCESS_KEY, BANK_SLIP = (
    MatchRule.EXPLICIT,
    MatchRule.NUMBER,
    MatchRule.ACCESS_KEY,
    MatchRule.BANK_SLIP,
)


def nfe(
    key: str,
    number: str,
    series: str | None = None,
    *,
    access_key: str | None = None,
    bank_slip: str | None = None,
) -> Invoice:
    amount = Money(amount=100_00, currency="BRL")
    return Invoice(
        key=key,
        number=number,
        series=series,
        kind=InvoiceKind.INVOICE,
        issue_date=date(2026, 11, 1),
        currency="BRL",
        total=amount,
        installments=(Installment(number="1", due_date=date(2026, 11, 10), amount=amount),),
        customer=Party(name="Padaria Estrela"),
        source=SourceFormat.NFE,
        access_key=access_key,
        bank_slip=bank_slip,
    )


# The same number 123 in series 1 and 2, told apart by series, access key and boleto; and an unrelated 124.
SERIES_1 = nfe("nfe:1-123", "000123", "1", access_key=KEY_A, bank_slip="4412345678")
SERIES_2 = nfe("nfe:2-123", "123", "2", access_key=KEY_B, bank_slip="99887766554433")
OTHER = nfe("erp:NF-124", "124")
BOOK = (SERIES_1, SERIES_2, OTHER)


@dataclass(frozen=True)
class Case:
    name: str
    links: SaleLinks
    expected: Match | None
    invoices: tuple[Invoice, ...] = BOOK


def found(invoice: Invoice, rule: MatchRule) -> Match:
    return Match(invoice.key, rule)


def ambiguous(rule: MatchRule, *invoices: Invoice) -> Match:
    return Match(None, rule, tuple(sorted(i.key for i in invoices)))


CASES = [
    # 2. explicit: the business's own reference, against number (with or without series), access key, key, boleto.
    Case("reference is the number", SaleLinks(reference="124"), found(OTHER, EXPLICIT)),
    Case("reference with separators and zeros", SaleLinks(reference="0.124"), found(OTHER, EXPLICIT)),
    Case("reference is series and number", SaleLinks(reference="2-123"), found(SERIES_2, EXPLICIT)),
    Case("reference is series/number, zero padded", SaleLinks(reference="001/000123"), found(SERIES_1, EXPLICIT)),
    Case("reference is a number two series share", SaleLinks(reference="123"), ambiguous(EXPLICIT, SERIES_1, SERIES_2)),
    Case(
        "reference is the access key as DANFE prints it",
        SaleLinks(reference=" ".join(KEY_B[i : i + 4] for i in range(0, 44, 4))),
        found(SERIES_2, EXPLICIT),
    ),
    Case("reference is the invoice key, any case", SaleLinks(reference="ERP:nf-124"), found(OTHER, EXPLICIT)),
    Case("reference is the boleto", SaleLinks(reference="99.887.766.554.433"), found(SERIES_2, EXPLICIT)),
    Case(
        "alphanumeric numbers ignore case",
        SaleLinks(reference="a12b"),
        found(nfe("x", "A12B"), EXPLICIT),
        (nfe("x", "A12B"), nfe("y", "A12C")),
    ),
    # 3. number (and series when both sides give one).
    Case("number and series", SaleLinks(invoice_number="123", series="1"), found(SERIES_1, NUMBER)),
    Case("series compare normalised", SaleLinks(invoice_number="123", series="002"), found(SERIES_2, NUMBER)),
    Case(
        "number without series in two series: never guessed",
        SaleLinks(invoice_number="0123"),
        ambiguous(NUMBER, SERIES_1, SERIES_2),
    ),
    Case("number in a series nobody has", SaleLinks(invoice_number="123", series="3"), None),
    Case(
        "a series given for an invoice that has none",
        SaleLinks(invoice_number="124", series="9"),
        found(OTHER, NUMBER),
    ),
    # 4. NF-e access key.
    Case("access key", SaleLinks(access_key=KEY_B), found(SERIES_2, ACCESS_KEY)),
    Case("unknown access key", SaleLinks(access_key="4" * 44), None),
    # 5. boleto: nosso número or digitable line, one containing the other.
    Case("boleto with separators", SaleLinks(bank_slip="9988776655443-3"), found(SERIES_2, BANK_SLIP)),
    Case("nosso número inside a digitable line", SaleLinks(bank_slip=DIGITABLE_LINE), found(SERIES_1, BANK_SLIP)),
    Case(
        "digitable line recorded, nosso número given",
        SaleLinks(bank_slip="4412345678"),
        found(nfe("x", "1", bank_slip="".join(c for c in DIGITABLE_LINE if c.isdigit())), BANK_SLIP),
        (nfe("x", "1", bank_slip="".join(c for c in DIGITABLE_LINE if c.isdigit())),),
    ),
    Case(
        "a short run inside a line matches nothing",
        SaleLinks(bank_slip=DIGITABLE_LINE),
        None,
        (nfe("x", "1", bank_slip="1234567"), nfe("y", "2", bank_slip="0009")),
    ),
    Case("a boleto with no digits", SaleLinks(bank_slip="n/a"), None),
    Case(
        "two invoices inside one line: never guessed",
        SaleLinks(bank_slip=DIGITABLE_LINE),
        ambiguous(BANK_SLIP, nfe("x", "1", bank_slip="4412345678"), nfe("y", "2", bank_slip="9234000001")),
        (nfe("x", "1", bank_slip="4412345678"), nfe("y", "2", bank_slip="9234000001")),
    ),
    # The first rule that finds anything decides, even when it finds several.
    Case("explicit beats number", SaleLinks(reference="124", invoice_number="123", series="1"), found(OTHER, EXPLICIT)),
    Case(
        "number beats access key",
        SaleLinks(invoice_number="124", access_key=KEY_A),
        found(OTHER, NUMBER),
    ),
    Case(
        "access key beats boleto", SaleLinks(access_key=KEY_A, bank_slip="99887766554433"), found(SERIES_1, ACCESS_KEY)
    ),
    Case(
        "an ambiguous rule does not fall through to a later one",
        SaleLinks(reference="123", access_key=KEY_A),
        ambiguous(EXPLICIT, SERIES_1, SERIES_2),
    ),
    Case(
        "a rule that finds nothing falls through",
        SaleLinks(reference="no-such-order", access_key=KEY_A),
        found(SERIES_1, ACCESS_KEY),
    ),
    # Nothing to go on.
    Case("empty links", SaleLinks(), None),
    Case("no invoices", SaleLinks(reference="123"), None, ()),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_sale_links_name_an_invoice(case: Case) -> None:
    assert by_links(case.links, case.invoices) == case.expected


def test_only_a_match_with_an_invoice_is_specific() -> None:
    assert Match("a", EXPLICIT).specific
    assert not ambiguous(NUMBER, SERIES_1, SERIES_2).specific
    assert not Match(None, MatchRule.OLDEST).specific


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("000.123", "123"),
        ("123", "123"),
        ("a-12/b", "A12B"),
        ("000", "0"),
        ("0", "0"),
        ("nf-00042", "NF42"),
        ("A0B007", "A0B7"),
    ],
)
def test_numbers_lose_separators_case_and_leading_zeros(raw: str, expected: str) -> None:
    assert normal(raw) == expected


def test_series_and_number_ignore_the_numbers_leading_zeros() -> None:
    assert by_links(SaleLinks(reference="1-123"), BOOK) == found(SERIES_1, EXPLICIT)


def test_a_reference_to_one_number_never_names_another_series_and_number() -> None:
    series_1_number_23 = nfe("nfe:1-23", "23", "1")

    assert by_links(SaleLinks(reference="123"), (series_1_number_23, OTHER)) is None


def test_series_and_number_written_together_are_never_one_number() -> None:
    number_1123 = nfe("nfe:1123", "1123")

    assert by_links(SaleLinks(reference="1-123"), (number_1123, OTHER)) is None
    assert by_links(SaleLinks(reference="1123"), (number_1123, OTHER)) == found(number_1123, EXPLICIT)


@pytest.mark.parametrize("number", ["F-123", "2025/0042", "NF-00042", "NF 42"])
def test_a_reference_written_as_the_invoice_number_names_it(number: str) -> None:
    invoice = nfe("erp:x", number)

    assert by_links(SaleLinks(reference=number), (invoice, OTHER)) == found(invoice, EXPLICIT)
