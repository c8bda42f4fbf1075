from __future__ import annotations

import io
import time
import tracemalloc
from datetime import date
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ponte.domain.invoices import Invoice
from ponte.invoices import FileRejected, ParsedInvoice, ParseOptions, ParseResult, Rejection
from ponte.invoices.csv_format import parse
from ponte.messages.texts.rows import row_message

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer


def read(content: str | bytes, encoding: str = "utf-8", **options: object) -> list[ParseResult]:
    data = content.encode(encoding) if isinstance(content, str) else content
    return list(parse(io.BytesIO(data), options=ParseOptions(**options)))


def rejected(result: ParseResult) -> Rejection:
    assert isinstance(result, Rejection), result
    return result


def only_invoice(content: str | bytes, encoding: str = "utf-8", **options: object) -> Invoice:
    (result,) = read(content, encoding, **options)
    assert isinstance(result, ParsedInvoice), result
    return result.invoice


BRAZIL = (
    "Número;Série;Parcela;Cliente;CNPJ/CPF;E-mail;Valor;Vencimento;Emissão\n"
    "1001;1;1;Padaria Boa Vista Ltda;12.345.678/0001-95;financeiro@boavista.com.br;1.234,56;10/04/2024;01/03/2024\n"
    "1001;1;2;Padaria Boa Vista Ltda;12.345.678/0001-95;financeiro@boavista.com.br;1.234,56;10/05/2024;01/03/2024\n"
    "1002;1;1;Maria Souza;123.456.789-09;;99,90;2024-04-15;2024-03-02\n"
)


def test_a_brazilian_export_groups_consecutive_rows_into_installments() -> None:
    first, second = read(BRAZIL)
    assert isinstance(first, ParsedInvoice)
    assert isinstance(second, ParsedInvoice)
    assert (first.line, second.line) == (2, 4)
    invoice = first.invoice
    assert invoice.key == "erp:1:invoice:1001"
    assert (invoice.number, invoice.series, invoice.issue_date) == ("1001", "1", date(2024, 3, 1))
    assert invoice.total.amount == 246912
    assert invoice.currency == "BRL"
    assert [(i.number, i.due_date, i.amount.amount) for i in invoice.installments] == [
        ("1", date(2024, 4, 10), 123456),
        ("2", date(2024, 5, 10), 123456),
    ]
    assert invoice.customer.tax_id == "12345678000195"
    assert invoice.customer.email == "financeiro@boavista.com.br"
    assert second.invoice.customer.model_dump(exclude_none=True) == {"name": "Maria Souza", "tax_id": "12345678909"}
    assert second.invoice.total.amount == 9990


def test_spanish_headers_with_comma_separator_and_currency_column() -> None:
    invoice = only_invoice(
        "Nro,Cliente,RFC,Importe,Moneda,Fecha de Vencimiento,Fecha de Emisión\n"
        'F-77,Tacos SA,XAXX010101000,"1,500.00",MXN,31/01/2025,02/01/2025\n'
    )
    assert (invoice.number, invoice.currency, invoice.total.amount) == ("F-77", "MXN", 150000)
    assert invoice.installments[0].due_date == date(2025, 1, 31)
    assert invoice.customer.tax_id == "XAXX010101000"


def test_english_headers_tab_separated_month_first() -> None:
    invoice = only_invoice(
        "Invoice Number\tCustomer Name\tCustomer ID\tAmount\tCurrency\tDue Date\n"
        "INV-1\tAcme Inc\tC-9\t1234.5\tUSD\t04/03/2024\n",
        date_order="mdy",
    )
    assert invoice.customer.reference == "C-9"
    assert invoice.installments[0].due_date == date(2024, 4, 3)
    assert invoice.total.amount == 123450


def test_headers_match_without_case_accents_or_punctuation() -> None:
    invoice = only_invoice("NÚMERO;cliente;VALOR;data_de_vencimento\nA1;Joana;10;2024-01-01\n")
    assert invoice.number == "A1"


def test_utf8_bom_and_crlf_are_handled() -> None:
    invoice = only_invoice("\ufeffnumero;cliente;valor;vencimento\r\n7;José;10,00;01/02/2024\r\n")
    assert (invoice.number, invoice.customer.name) == ("7", "José")


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_windows_exports_in_latin_1_or_cp1252(encoding: str) -> None:
    invoice = only_invoice("Número;Cliente;Valor;Vencimento\n7;Conceição Ávila;10,00;01/02/2024\n", encoding)
    assert invoice.customer.name == "Conceição Ávila"


def test_excel_separator_hint_line_and_line_numbers() -> None:
    (result,) = read("sep=,\nnumero,cliente,valor,vencimento\n7,Ana,,01/02/2024\n")
    rejection = rejected(result)
    assert (rejection.line, rejection.reason, rejection.problem.code, rejection.problem.facts) == (
        3,
        "missing amount",
        "missing_field",
        {"field": "amount"},
    )


def test_quoted_cells_spanning_lines_report_the_physical_start_line() -> None:
    results = read('numero;cliente;valor;vencimento\n1;"Ana\nFilial Centro";10,00;01/02/2024\n\n2;Bia;x;01/02/2024\n')
    assert isinstance(results[0], ParsedInvoice)
    assert results[0].invoice.customer.name == "Ana\nFilial Centro"
    refused = rejected(results[1])
    assert (refused.line, refused.reason, refused.problem.code, refused.problem.facts) == (
        5,
        "not an amount: 'x'",
        "not_amount",
        {"value": "x"},
    )


def test_bad_rows_are_rejected_with_their_line_and_good_rows_still_parsed() -> None:
    results = read(
        "numero;cliente;cnpj;valor;vencimento;moeda\n"
        "1;Ana;;10,00;01/02/2024;BRL\n"
        "2;Bia;;;01/02/2024;BRL\n"
        "3;Caio;;-5,00;01/02/2024;BRL\n"
        "4;Duda;;5,00;31/02/2024;BRL\n"
        "5;Eva;;5,00;01/02/2024;XYZ\n"
        "6;;;5,00;01/02/2024;BRL\n"
        ";Fábio;;5,00;01/02/2024;BRL\n"
        "8;Gil;;0,00;01/02/2024;BRL\n"
        "9;Hugo;;0,001;01/02/2024;BRL\n"
        "10;Ivo;;5,00;;BRL\n"
        "11;Juca;;5,00;01/02/2024;BRL\n"
    )
    assert [type(r).__name__ for r in results] == ["ParsedInvoice"] + ["Rejection"] * 9 + ["ParsedInvoice"]
    reasons = {r.line: r.reason for r in results if isinstance(r, Rejection)}
    assert reasons[3] == "missing amount"
    assert reasons[4] == "amount must be greater than zero, got -5,00"
    assert reasons[5].startswith("not a date: '31/02/2024'")
    assert reasons[6].startswith("unknown currency 'XYZ'")
    assert reasons[7] == "missing customer: no name, tax id or customer reference"
    assert reasons[8] == "missing invoice number"
    assert reasons[9] == "amount must be greater than zero, got 0,00"
    assert reasons[10] == "0.001 BRL has more than 2 decimal places"
    assert reasons[11] == "missing due date"
    problems = {r.line: (r.problem.code, r.problem.facts) for r in results if isinstance(r, Rejection)}
    assert problems == {
        3: ("missing_field", {"field": "amount"}),
        4: ("not_positive", {"value": "-5,00"}),
        5: ("no_such_date", {"value": "31/02/2024"}),
        6: ("unknown_currency", {"value": "XYZ"}),
        7: ("missing_customer", {}),
        8: ("missing_field", {"field": "number"}),
        9: ("not_positive", {"value": "0,00"}),
        10: ("too_many_decimals", {"value": "0,001", "currency": "BRL", "places": "2"}),
        11: ("missing_field", {"field": "due_date"}),
    }


def test_a_bad_e_mail_is_left_out_with_a_warning_and_the_invoice_recorded() -> None:
    (result,) = read("numero;cliente;cpf;email;valor;vencimento\n1;Ana;123.456.789-09;not-an-email;10;01/02/2024\n")
    assert isinstance(result, ParsedInvoice)
    assert result.invoice.customer.email is None and result.invoice.total.amount == 1000
    assert [(w.reason, w.code) for w in result.warnings] == [
        ("customer e-mail left out: not an e-mail address", "email_left_out")
    ]


def test_an_invoice_with_one_bad_installment_is_refused_whole() -> None:
    results = read(
        "numero;parcela;cliente;valor;vencimento\n"
        "1;1;Ana;10,00;01/02/2024\n"
        "1;2;Ana;abc;01/03/2024\n"
        "1;3;Ana;10,00;01/04/2024\n"
        "2;1;Bia;10,00;01/04/2024\n"
    )
    assert [(r.line, r.reason, r.problem.code, r.problem.facts) for r in map(rejected, results[:3])] == [
        (2, "invoice 1 not recorded: line 3 of it was refused", "sibling_refused", {"number": "1", "other": "3"}),
        (3, "not an amount: 'abc'", "not_amount", {"value": "abc"}),
        (4, "invoice 1 not recorded: line 3 of it was refused", "sibling_refused", {"number": "1", "other": "3"}),
    ]
    assert isinstance(results[3], ParsedInvoice)


def test_rows_of_one_invoice_must_agree_and_be_numbered() -> None:
    disagree, unnumbered, repeated = read(
        "numero;parcela;cliente;valor;vencimento\n"
        "1;1;Ana;10,00;01/02/2024\n"
        "1;2;Bia;10,00;01/03/2024\n"
        "2;;Ana;10,00;01/02/2024\n"
        "2;;Ana;10,00;01/03/2024\n"
        "3;1;Ana;10,00;01/02/2024\n"
        "3;1;Ana;10,00;01/03/2024\n"
    )
    disagree, unnumbered, repeated = rejected(disagree), rejected(unnumbered), rejected(repeated)
    assert (disagree.line, disagree.reason, disagree.problem.code, disagree.problem.facts) == (
        2,
        "invoice 1: line 3 disagrees with line 2 on customer, issue date or currency",
        "rows_disagree",
        {"number": "1", "line": "3", "other": "2"},
    )
    assert (unnumbered.line, unnumbered.reason, unnumbered.problem.code, unnumbered.problem.facts) == (
        4,
        "invoice 2: 2 rows share this number but some have no installment number",
        "installments_unnumbered",
        {"number": "2", "rows": "2"},
    )
    assert (repeated.line, "repeats an installment number" in repeated.reason) == (6, True)
    assert (repeated.problem.code, repeated.problem.facts) == ("repeated_installment", {"number": "3"})


def test_the_same_number_in_another_series_is_another_invoice() -> None:
    first, second = read("numero;serie;cliente;valor;vencimento\n1;A;Ana;10;01/02/2024\n1;B;Ana;10;01/02/2024\n")
    assert isinstance(first, ParsedInvoice)
    assert isinstance(second, ParsedInvoice)
    assert first.invoice.key != second.invoice.key


def test_a_row_with_more_cells_than_the_header_is_refused() -> None:
    (result,) = read("numero,cliente,valor,vencimento\n1,Ana,1,234.56,01/02/2024\n")
    rejection = rejected(result)
    assert (rejection.line, rejection.reason, rejection.problem.code, rejection.problem.facts) == (
        2,
        "5 cells but the header has 4; quote amounts that contain the separator",
        "extra_cells",
        {"cells": "5", "width": "4"},
    )


def test_header_override_names_a_business_specific_column() -> None:
    content = "Doc;Sacado;Valor;Total;Vencto\n1;Ana;12,00;10,00;01/02/2024\n"
    with pytest.raises(FileRejected, match="columns 'Valor' and 'Total' both mean amount"):
        read(content, csv_columns={"Doc": "number", "Vencto": "due_date"})
    invoice = only_invoice(content, csv_columns={"Doc": "number", "TOTAL": "amount", "Vencto": "due_date"})
    assert (invoice.number, invoice.total.amount, invoice.customer.name) == ("1", 1000, "Ana")


def test_an_override_takes_a_default_name_away_from_its_default_field() -> None:
    invoice = only_invoice(
        "Documento;Cliente;Valor;Vencimento\n55;Ana;10,00;01/02/2024\n", csv_columns={"documento": "number"}
    )
    assert (invoice.number, invoice.customer.tax_id) == ("55", None)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("\n\n  \n", "the file is empty"),
        ("just some text\nmore text\n", "no recognisable header"),
        ("foo;bar;baz\n1;2;3\n", "no recognisable header: no column for number, amount, due date, customer"),
        ("numero;cliente;valor\n1;Ana;10\n", "no column for due date"),
        ("numero;valor;vencimento\n1;10;01/01/2024\n", "no column for customer"),
    ],
)
def test_files_without_a_usable_header_are_refused(content: str, message: str) -> None:
    with pytest.raises(FileRejected, match=message):
        read(content)


def test_a_header_only_file_has_no_invoices() -> None:
    assert read("numero;cliente;valor;vencimento\n") == []


ACCESS_KEY = "35210258716523000119550000000573661346317847"  # sped-da's cancelada_55_new.xml, a real NF-e key
GROUPED_KEY = " ".join(ACCESS_KEY[i : i + 4] for i in range(0, 44, 4))


def test_owner_payment_link_boleto_and_access_key_columns() -> None:
    (result,) = read(
        "Número;Cliente;CNPJ;Valor;Vencimento;Responsável;Link de pagamento;Nosso número;Chave de acesso\n"
        f"77;Padaria Boa Vista;12.345.678/0001-95;100,00;10/04/2024;Joana Lima;https://pay.example.com/i/77;"
        f"1234567-8;{GROUPED_KEY}\n"
    )
    assert isinstance(result, ParsedInvoice)
    assert result.owner == "Joana Lima"
    invoice = result.invoice
    assert (invoice.payment_url, invoice.bank_slip, invoice.access_key) == (
        "https://pay.example.com/i/77",
        "12345678",
        ACCESS_KEY,
    )
    assert result.warnings == ()


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("vendedor", "Carlos"),
        ("Gerente", "Carlos"),
        ("Account Manager", "Carlos"),
        ("owner", "Carlos"),
    ],
)
def test_owner_header_names(header: str, value: str) -> None:
    (result,) = read(f"numero;cliente;cnpj;valor;vencimento;{header}\n1;Ana;123;10;01/02/2024;{value}\n")
    assert isinstance(result, ParsedInvoice)
    assert result.owner == value


def test_a_digitable_line_is_kept_as_digits() -> None:
    line = "34191.79001 01043.510047 91020.150008 5 84410026000"
    invoice = only_invoice(f"numero;cliente;cnpj;valor;vencimento;linha digitável\n1;Ana;123;10;01/02/2024;{line}\n")
    assert invoice.bank_slip == "34191790010104351004791020150008584410026000"


@pytest.mark.parametrize(
    ("column", "value", "reason", "code"),
    [
        (
            "link de pagamento",
            "http://pay.example.com/1",
            "payment link 'http://pay.example.com/1' is not an https://",
            "not_https",
        ),
        ("payment link", "pay.example.com/1", "is not an https:// address", "not_https"),
        ("enlace de pago", "https://", "is not an https:// address", "not_https"),
        ("boleto", "NN-123A", "boleto 'NN-123A' is not a nosso número or digitable line", "not_bank_slip"),
        ("chave nfe", ACCESS_KEY[:-1], "is not 44 digits", "access_key_length"),
        ("access key", ACCESS_KEY[:-1] + "8", "has a wrong check digit", "access_key_digit"),
    ],
)
def test_a_bad_payment_reference_refuses_the_row(column: str, value: str, reason: str, code: str) -> None:
    (rejection,) = read(f"numero;cliente;cnpj;valor;vencimento;{column}\n1;Ana;123;10;01/02/2024;{value}\n")
    assert isinstance(rejection, Rejection)
    assert rejection.line == 2
    assert reason in rejection.reason
    assert (rejection.problem.code, rejection.problem.facts) == (code, {"value": value})


def test_a_boleto_per_installment_is_not_recorded_and_the_report_says_why() -> None:
    (result,) = read(
        "numero;parcela;cliente;cnpj;valor;vencimento;nosso numero;link de pagamento\n"
        "1;1;Ana;52998224725;10;01/02/2024;111;https://pay.example.com/1\n"
        "1;2;Ana;52998224725;10;01/03/2024;222;https://pay.example.com/1\n"
    )
    assert isinstance(result, ParsedInvoice)
    assert (result.invoice.bank_slip, result.invoice.payment_url) == (None, "https://pay.example.com/1")
    assert [(w.reason, w.code, w.facts) for w in result.warnings] == [
        ("the installments name different boletos, so none was recorded", "installments_differ", {"what": "boletos"})
    ]


def test_rows_of_one_invoice_must_agree_on_owner_and_access_key() -> None:
    (result,) = read(
        "numero;parcela;cliente;valor;vencimento;responsavel\n1;1;Ana;10;01/02/2024;Joana\n1;2;Ana;10;01/03/2024;Rui\n"
    )
    rejection = rejected(result)
    assert (rejection.line, rejection.reason, rejection.problem.code, rejection.problem.facts) == (
        2,
        "invoice 1: line 3 disagrees with line 2 on owner or NF-e access key",
        "rows_disagree_owner",
        {"number": "1", "line": "3", "other": "2"},
    )


def test_a_customer_known_only_by_name_is_recorded_with_a_warning() -> None:
    named, identified = read(
        "numero;cliente;cnpj;valor;vencimento\n1;Ana;;10;01/02/2024\n2;Bia;52998224725;10;01/02/2024\n"
    )
    assert isinstance(named, ParsedInvoice)
    assert isinstance(identified, ParsedInvoice)
    assert named.invoice.customer.model_dump(exclude_none=True) == {"name": "Ana"}
    assert [(w.reason, w.code) for w in named.warnings] == [("customer identified by name only", "name_only")]
    assert identified.warnings == ()


STYLES = {
    "pt": lambda whole, frac: f"{whole:,}".replace(",", ".") + (f",{frac}" if frac else ""),
    "en": lambda whole, frac: f"{whole:,}" + (f".{frac}" if frac else ""),
    "plain_point": lambda whole, frac: f"{whole}" + (f".{frac}" if frac else ""),
    "plain_comma": lambda whole, frac: f"{whole}" + (f",{frac}" if frac else ""),
    "spaced": lambda whole, frac: f"{whole:,}".replace(",", " ") + (f",{frac}" if frac else ""),
}


@given(
    minor=st.integers(min_value=1, max_value=10**13),
    currency=st.sampled_from(["BRL", "USD", "EUR", "JPY", "KWD", "CLP", "MXN"]),
    style=st.sampled_from(sorted(STYLES)),
    separator=st.sampled_from([";", ",", "\t"]),
)
def test_any_accepted_row_round_trips_to_the_same_minor_units(
    minor: int, currency: str, style: str, separator: str
) -> None:
    exponent = {"JPY": 0, "CLP": 0, "KWD": 3}.get(currency, 2)
    whole, frac = divmod(minor, 10**exponent)
    text = STYLES[style](whole, str(frac).zfill(exponent) if exponent else "")
    cells = ["1", "Ana", f'"{text}"', currency, "2024-01-31"]
    content = separator.join(["numero", "cliente", "valor", "moeda", "vencimento"]) + "\n" + separator.join(cells)
    (result,) = read(content + "\n")
    assert isinstance(result, ParsedInvoice), (text, result)
    assert (result.invoice.total.amount, result.invoice.currency) == (minor, currency)


class _GeneratedCsv(io.RawIOBase):
    """A CSV export of `rows` rows made on the fly, so the input itself takes no memory."""

    def __init__(self, rows: int) -> None:
        self._blocks = (
            "".join(
                f"{(n + 1) // 2};{2 - n % 2};Cliente {n // 2};12.345.678/0001-95;1.234,56;10/04/2024\n"
                for n in range(start, min(start + 1000, rows + 1))
            ).encode()
            for start in range(1, rows + 1, 1000)
        )
        self._pending = b"numero;parcela;cliente;cnpj;valor;vencimento\n"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        target = memoryview(buffer).cast("B")
        while len(self._pending) < len(target):
            block = next(self._blocks, None)
            if block is None:
                break
            self._pending += block
        size = min(len(target), len(self._pending))
        target[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _peak_while_parsing(rows: int) -> tuple[int, int, float]:
    tracemalloc.start()
    started = time.perf_counter()
    count = sum(1 for _ in parse(io.BufferedReader(_GeneratedCsv(rows)), options=ParseOptions()))
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return count, peak, elapsed


def test_memory_stays_flat_when_a_file_grows_tenfold() -> None:
    # 5k against 50k rows: tracing every allocation slows parsing about fivefold, and ten times more rows is
    # what shows whether memory grows with the file.
    _peak_while_parsing(10)  # first use loads the currency list and warms caches: not per-row memory
    small_count, small_peak, _ = _peak_while_parsing(5_000)
    large_count, large_peak, elapsed = _peak_while_parsing(50_000)
    assert (small_count, large_count) == (2_500, 25_000)
    print(f"peak {small_peak / 1024:.0f} KiB for 5k rows, {large_peak / 1024:.0f} KiB for 50k; {elapsed:.1f} s")
    assert large_peak < 2 * small_peak


QUOTED = "Número;Parcela;Cliente;CNPJ;Valor;Vencimento\n"


def _shown(results: list[ParseResult]) -> list[tuple[int, str]]:
    """Each result as its line and the invoice's number, or the refusal's code."""
    return [
        (r.line, r.problem.code if isinstance(r, Rejection) else r.invoice.number)
        for r in results
        if isinstance(r, ParsedInvoice | Rejection)
    ]


def test_a_quote_left_open_refuses_the_row_naming_the_lines_it_took() -> None:
    # The quote before "Padaria is closed only by the one before "Bar", four lines down: csv reads lines 2 to 5 as
    # one row, which would be invoice 1 with a name of four lines and invoices 2 to 4 gone without a word.
    results = read(
        QUOTED
        + '1;1;"Padaria Boa;12.345.678/0001-95;10,00;10/12/2026\n'
        + "2;1;Mercado;60.701.190/0001-04;20,00;10/12/2026\n"
        + "3;1;Loja;60.701.190/0001-04;30,00;10/12/2026\n"
        + '4;1;"Bar";60.701.190/0001-04;40,00;10/12/2026\n'
        + "5;1;Bar Dois;60.701.190/0001-04;50,00;10/12/2026\n"
    )
    assert _shown(results) == [
        (2, "unclosed_quote"),
        (3, "quote_took_line"),
        (4, "quote_took_line"),
        (5, "quote_took_line"),
        (6, "5"),
    ]
    assert dict(rejected(results[0]).problem.facts) == {"line": "2", "last": "5"}
    assert dict(rejected(results[1]).problem.facts) == {"other": "2"}


def test_a_quote_left_open_to_the_end_of_the_file_is_refused_too() -> None:
    results = read(
        QUOTED
        + "1;1;Padaria;12.345.678/0001-95;10,00;10/12/2026\n"
        + '2;1;"Mercado;60.701.190/0001-04;20,00;10/12/2026\n'
        + "3;1;Loja;60.701.190/0001-04;30,00;10/12/2026\n"
    )
    assert _shown(results) == [(2, "1"), (3, "unclosed_quote"), (4, "quote_took_line")]
    assert dict(rejected(results[1]).problem.facts) == {"line": "3", "last": "4"}


def test_the_other_installments_of_an_invoice_whose_row_left_a_quote_open_are_refused_with_it() -> None:
    results = read(
        QUOTED
        + "7;1;Padaria;12.345.678/0001-95;10,00;10/12/2026\n"
        + '7;2;"Padaria;12.345.678/0001-95;10,00;10/01/2027\n'
        + '8;1;"Loja";60.701.190/0001-04;30,00;10/12/2026\n'
    )
    assert _shown(results) == [(2, "sibling_refused"), (3, "unclosed_quote"), (4, "quote_took_line")]


def test_an_invoice_whose_first_installment_a_quote_took_is_refused_whole_not_recorded_short() -> None:
    results = read(
        QUOTED
        + '1;1;"Padaria;12.345.678/0001-95;10,00;10/12/2026\n'
        + "2;1;Loja;60.701.190/0001-04;20,00;10/12/2026\n"
        + '3;1;"Bar";60.701.190/0001-04;30,00;10/12/2026\n'
        + "2;2;Loja;60.701.190/0001-04;20,00;10/01/2027\n"
    )
    assert _shown(results) == [
        (2, "unclosed_quote"),
        (3, "quote_took_line"),
        (5, "sibling_refused"),  # invoice 2's other installment: not recorded for R$ 20,00 of R$ 40,00
        (4, "quote_took_line"),
    ]


def test_a_quote_opened_in_a_last_optional_column_still_names_the_lines_it_took() -> None:
    text = (
        "Número;Cliente;CNPJ;Valor;Vencimento;Responsável;E-mail\n"
        '1;Padaria;12.345.678/0001-95;10,00;10/12/2026;;"Ana\n'
        '2;Loja;60.701.190/0001-04;20,00;10/12/2026;;"loja@example.com";\n'
        "3;Bar;60.701.190/0001-04;30,00;10/12/2026;;\n"
    )
    assert _shown(read(text)) == [(2, "unclosed_quote"), (3, "quote_took_line"), (4, "3")]


def test_a_cell_written_over_two_lines_as_spreadsheets_write_one_is_read() -> None:
    # An address with its line break (Alt+Enter in Excel), in a column Ponte does not read, with a separator in it.
    text = (
        "Número;Cliente;Endereço;CNPJ;Valor;Vencimento\n"
        '1;Padaria;"Rua das Flores; 10\nCentro";12.345.678/0001-95;10,00;10/12/2026\n'
        "2;Loja;Rua B;60.701.190/0001-04;30,00;10/12/2026\n"
    )
    assert _shown(read(text)) == [(2, "1"), (4, "2")]


def test_an_address_with_commas_over_two_lines_in_a_comma_separated_file_is_read() -> None:
    text = (
        "Número,Cliente,CNPJ,Endereço,Valor,Vencimento\n"
        '1,Padaria,12.345.678/0001-95,"Rua das Flores, 123, apto 4\nCentro, São Paulo, SP, 01000-000",'
        "10.00,10/12/2026\n"
        '2,Loja,60.701.190/0001-04,"Pão, leite, café\nentregues seg, qua, sex",30.00,10/12/2026\n'
    )
    assert _shown(read(text)) == [(2, "1"), (4, "2")]


@pytest.mark.parametrize(
    ("header", "row", "written"),
    [
        ("Número,Cliente,CNPJ,Vencimento,Valor,Observação", "123,ACME,11222333000181,10/12/2026,1234,56,", "1234,56"),
        ("Número,Cliente,CNPJ,Vencimento,Valor,", "124,ACME,11222333000181,10/12/2026,1234,56", "1234,56"),
        ("Número,Cliente,CNPJ,Vencimento,Valor,Parcela", "125,ACME,11222333000181,10/12/2026,150,50,", "150,50"),
        ("Número,Cliente,CNPJ,Vencimento,Valor,E-mail", "126,ACME,11222333000181,10/12/2026,1.234,56,", "1.234,56"),
    ],
)
def test_an_amount_a_comma_file_split_in_two_is_refused_not_read_without_its_centavos(
    header: str, row: str, written: str
) -> None:
    (result,) = read(f"{header}\n{row}\n")
    refused = rejected(result)
    assert (refused.problem.code, dict(refused.problem.facts)) == ("amount_split", {"value": written})


@pytest.mark.parametrize(
    ("header", "row", "amount"),
    [
        ("Número,Cliente,CNPJ,Vencimento,Valor,Prazo", "127,ACME,11222333000181,10/12/2026,150,30", 15000),
        ("Número,Cliente,CNPJ,Vencimento,Valor,Observação", '128,ACME,11222333000181,10/12/2026,"1234,56",', 123456),
        ("Número,Cliente,CNPJ,Vencimento,Valor", "129,ACME,11222333000181,10/12/2026,1234.56,", 123456),
    ],
)
def test_an_amount_in_its_own_cell_of_a_comma_file_is_read(header: str, row: str, amount: int) -> None:
    assert only_invoice(f"{header}\n{row}\n").total.amount == amount


@pytest.mark.parametrize(
    "text",
    [
        "Número;Cliente;Conta;Valor;Vencimento\n1;Padaria A;Itaú 1234-5;100,00;10/12/2026\n",
        "Invoice Number,Customer,Account,Amount,Due Date\nINV-1,Acme Inc,Accounts Receivable,100.00,2026-12-10\n",
    ],
)
def test_a_bank_or_ledger_account_column_is_not_taken_for_the_customers_reference(text: str) -> None:
    # The same on every row: taken as the customer's reference, it would make every customer one account.
    assert only_invoice(text).customer.reference is None


def _amounts(header: str, separator: str, *amounts: str) -> list[int | str]:
    rows = [
        separator.join([str(n), "ACME", "11222333000181", f'"{a}"' if separator in a else a, "10/12/2026"])
        for n, a in enumerate(amounts, start=1)
    ]
    return [
        r.invoice.total.amount if isinstance(r, ParsedInvoice) else r.problem.code
        for r in read(header + "\n" + "\n".join(rows) + "\n")
        if isinstance(r, ParsedInvoice | Rejection)
    ]


def test_a_file_whose_amounts_show_a_decimal_comma_reads_three_places_as_decimals() -> None:
    # A Valor column formatted with three decimals (Excel's 0,000, an ERP's NUMERIC(15,3)): 1,500 is one and a half.
    header = "Número;Cliente;CNPJ;Valor;Vencimento"
    assert _amounts(header, ";", "0,500", "1,500", "150,000", "1.234,500", "10,005") == [
        50,
        150,
        15000,
        123450,
        "too_many_decimals",
    ]


def test_a_file_whose_amounts_show_a_decimal_point_reads_three_places_as_decimals() -> None:
    header = "Número,Cliente,CNPJ,Valor,Vencimento"
    assert _amounts(header, ",", "0.500", "1.500", "1500.000", "150.000") == [50, 150, 150000, 15000]


def test_with_no_decimals_shown_a_point_before_three_digits_groups_thousands() -> None:
    header = "Número;Cliente;CNPJ;Valor;Vencimento"
    assert _amounts(header, ";", "1.500", "2.000") == [150000, 200000]
    # Both marks shown: each amount is read on its own, as before.
    assert _amounts(header, ";", "1.500", "10,00", "10.00") == [150000, 1000, 1000]
    # Two decimals prove nothing of how 1.500 is meant: one amount typed 99.90 does not make the rest R$ 1,50.
    assert _amounts(header, ";", "1.500", "2.000", "99.90") == [150000, 200000, 9990]


def test_an_amount_the_files_decimal_mark_decided_says_so() -> None:
    text = "Número;Cliente;Valor;Vencimento\n1;ACME;0,500;10/12/2026\n2;ACME;1,500;10/12/2026\n"
    results = [r for r in read(text) if isinstance(r, ParsedInvoice)]
    assert [[(w.code, dict(w.facts)) for w in r.warnings if w.code != "name_only"] for r in results] == [
        [],
        [("decimal_mark", {"value": "1,500", "example": "0,500", "line": "2"})],
    ]


US_DATES = (
    "Invoice Number,Customer,Tax ID,Amount,Due Date,Issue Date\n"
    "1001,ACME,11222333000181,100.00,12/31/2026,12/01/2026\n"
    "1002,ACME,11222333000181,200.00,01/02/2027,12/01/2026\n"
    "1003,ACME,11222333000181,300.00,03/03/2027,12/01/2026\n"
    "1004,ACME,11222333000181,400.00,01/15/2027,12/01/2026\n"
)


def test_a_file_that_proves_month_first_dates_is_read_month_first_with_a_warning_on_each_date_it_decided() -> None:
    # The business reads dd/mm; this export writes mm/dd, as two of its rows prove (12/31, 01/15). 01/02/2027 is
    # 2 January, not 1 February.
    results = read(US_DATES)
    invoices = [r for r in results if isinstance(r, ParsedInvoice)]
    assert [i.invoice.installments[0].due_date for i in invoices] == [
        date(2026, 12, 31),
        date(2027, 1, 2),
        date(2027, 3, 3),
        date(2027, 1, 15),
    ]
    assert [i.invoice.issue_date for i in invoices] == [date(2026, 12, 1)] * 4
    warned = [[(w.code, dict(w.facts)) for w in i.warnings] for i in invoices]
    said = {"order": "mdy", "example": "12/31/2026", "line": "2"}
    assert warned == [
        [("date_order", {"value": "12/01/2026", "day": "2026-12-01", **said})],
        [("date_order", {"value": "01/02/2027", "day": "2027-01-02", **said})],
        [("date_order", {"value": "12/01/2026", "day": "2026-12-01", **said})],  # 03/03 reads the same either way
        [("date_order", {"value": "12/01/2026", "day": "2026-12-01", **said})],
    ]


def test_one_date_typed_month_first_in_a_day_first_file_is_refused_not_taken_for_the_files_order() -> None:
    rows = [f"{n};ACME;11222333000181;100,00;05/10/2026" for n in range(1, 6)] + [
        "6;ACME;11222333000181;100,00;12/20/2026"
    ]
    results = read("Número;Cliente;CNPJ;Valor;Vencimento\n" + "\n".join(rows) + "\n")
    assert [r.invoice.installments[0].due_date for r in results if isinstance(r, ParsedInvoice)] == [
        date(2026, 10, 5)
    ] * 5
    assert [(r.line, r.problem.code) for r in results if isinstance(r, Rejection)] == [(7, "not_date")]


def test_a_file_that_proves_both_orders_or_neither_is_read_in_the_business_order() -> None:
    both = US_DATES + "1005,ACME,11222333000181,400.00,31/12/2026,01/12/2026\n"
    results = read(both)
    assert [r.problem.code for r in results if isinstance(r, Rejection)] == ["not_date", "not_date"]  # day first
    assert not any(w.code == "date_order" for r in results if isinstance(r, ParsedInvoice) for w in r.warnings)
    neither = "Invoice Number,Customer,Tax ID,Amount,Due Date\n1,ACME,11222333000181,100.00,01/02/2027\n"
    assert only_invoice(neither).installments[0].due_date == date(2027, 2, 1)


@pytest.mark.parametrize(
    ("header", "currency"),
    [
        ("Valor (US$)", "USD"),
        ("Valor US$", "USD"),
        ("Valor (€)", "EUR"),
        ("Amount (USD)", "USD"),
        ("Valor (R$)", "BRL"),
    ],
)
def test_the_currency_the_amount_column_names_is_the_files(header: str, currency: str) -> None:
    invoice = only_invoice(f"Número;Cliente;{header};Vencimento\n1;ACME;1.234,56;10/12/2026\n")
    assert (invoice.currency, invoice.total.amount) == (currency, 123456)


@pytest.mark.parametrize(
    ("header", "written", "cents"),
    [
        ("Valor (centavos)", "123456", 123456),  # R$ 1.234,56, not R$ 123.456,00
        ("Valor (em centavos)", "1.234", 1234),  # grouped as Excel groups a number cell
        ("Amount [cents]", "99", 99),
        ("Valor (in cents)", "500", 500),
        ("Valor (R$, centavos)", "500", 500),
        ("Valor (R$ em centavos)", "500", 500),
        ("Valor (centavos de real)", "500", 500),
        ("Importe (céntimos)", "1500", 1500),
        ("Valor (centavos)", " 2 500 ", 2500),
    ],
)
def test_an_amount_column_whose_header_says_cents_is_read_in_cents(header: str, written: str, cents: int) -> None:
    invoice = only_invoice(f"Número;Cliente;{header};Vencimento\n1;ACME;{written};10/12/2026\n")
    assert (invoice.currency, invoice.total.amount) == ("BRL", cents)


@pytest.mark.parametrize("written", ["1.234,56", "12,5", "R$ 10", "abc", "10.00"])
def test_an_amount_that_is_no_whole_number_of_cents_is_refused_under_a_cents_header(written: str) -> None:
    (result,) = read(f"Número;Cliente;Valor (centavos);Vencimento\n1;ACME;{written};10/12/2026\n")
    refused = rejected(result)
    assert (refused.problem.code, dict(refused.problem.facts)) == (
        "amount_not_cents",
        {"value": written, "column": "Valor (centavos)"},
    )
    assert row_message(refused.problem.code, refused.problem.facts, "pt-BR") == (
        f"O valor “{written}” não é um número inteiro de centavos, como diz o cabeçalho “Valor (centavos)”"
    )


@pytest.mark.parametrize(
    ("header", "written", "read"),
    [
        ("Valor (sem centavos)", "1500", 150000),  # whole reais
        ("Valor (com centavos)", "1500,00", 150000),
        ("Valor (reais e centavos)", "1.234,56", 123456),
        ("Valor (R$ 0,00 - reais, centavos após a vírgula)", "1.234,56", 123456),
        ("Valor (sem os centavos)", "1500", 150000),
        ("Amount (no cents)", "1500", 150000),
        ("Amount (w/o cents)", "1500", 150000),
        ("Valor (s/ centavos)", "1500", 150000),
        ("Amount (dollars & cents)", "1500", 150000),
        ("Valor (reais/centavos)", "1.234,56", 123456),
        ("Amount (excluding cents)", "1500", 150000),
        ("Valor (R$)", "1500", 150000),
    ],
)
def test_a_note_that_only_mentions_cents_is_no_unit(header: str, written: str, read: int) -> None:
    invoice = only_invoice(f"Número;Cliente;{header};Vencimento\n1;ACME;{written};10/12/2026\n")
    assert invoice.total.amount == read


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("99999999999999999999", "amount_too_large"),  # past the largest amount Ponte takes
        ("9" * 5000, "amount_too_large"),  # refused on its line, the rest of the file read
    ],
)
def test_an_amount_in_cents_is_held_to_the_bounds_of_any_amount(written: str, code: str) -> None:
    text = f"Número;Cliente;Valor (centavos);Vencimento\n1;ACME;{written};10/12/2026\n2;ACME;100;10/12/2026\n"
    refused, kept = read(text)
    assert rejected(refused).problem.code == code
    assert isinstance(kept, ParsedInvoice) and kept.invoice.total.amount == 100


@pytest.mark.parametrize(
    ("header", "currency"),
    [
        ("Valor (R$ convertido de USD)", "BRL"),
        ("Amount (incl. ALL taxes)", "BRL"),  # not the Albanian lek
        ("Amount (NET, USD)", "BRL"),  # a note that says more than its currency is not read for one
    ],
)
def test_a_note_that_says_more_than_a_currency_names_none(header: str, currency: str) -> None:
    invoice = only_invoice(f"Número;Cliente;{header};Vencimento\n1;ACME;1.234,56;10/12/2026\n")
    assert invoice.currency == currency


def test_a_currency_the_cents_header_names_is_the_files() -> None:
    invoice = only_invoice("Número;Cliente;Amount (USD cents);Vencimento\n1;ACME;1999;10/12/2026\n")
    assert (invoice.currency, invoice.total.amount) == ("USD", 1999)


@pytest.mark.parametrize("currency", ["JPY", "KWD"])
def test_cents_of_a_currency_without_hundredths_are_refused(currency: str) -> None:
    text = f"Número;Cliente;Valor (centavos);Moeda;Vencimento\n1;ACME;150000;{currency};10/12/2026\n"
    (result,) = read(text)
    refused = rejected(result)
    assert (refused.problem.code, dict(refused.problem.facts)) == (
        "cents_currency",
        {"currency": currency, "column": "Valor (centavos)"},
    )
    assert row_message(refused.problem.code, refused.problem.facts, "en") == (
        f"{currency} has no cents, which the header “Valor (centavos)” says the amounts are in"
    )


def test_a_header_that_names_cents_outside_a_note_is_no_amount_column() -> None:
    with pytest.raises(FileRejected):
        read("Número;Cliente;Valor centavos;Vencimento\n1;ACME;123456;10/12/2026\n")


def test_a_currency_column_still_says_each_rows_currency() -> None:
    text = "Número;Cliente;Valor (US$);Moeda;Vencimento\n1;ACME;10,00;EUR;10/12/2026\n"
    assert only_invoice(text).currency == "EUR"


def test_a_date_column_whose_header_says_month_first_is_read_month_first() -> None:
    (result,) = read("Número;Cliente;Valor;Vencimento (mm/dd/aaaa)\n1;ACME;10,00;03/04/2027\n")
    assert isinstance(result, ParsedInvoice)
    assert result.invoice.installments[0].due_date == date(2027, 3, 4)
    assert [(w.facts["example"], w.facts["line"]) for w in result.warnings if w.code == "date_order"] == [
        ("Vencimento (mm/dd/aaaa)", "1")
    ]


STATUSES = (
    "Número;Parcela;Cliente;CNPJ;Valor;Vencimento;Situação\n"
    "1;1;Padaria;11222333000181;100,00;10/10/2026;Recebido\n"
    "1;2;Padaria;11222333000181;100,00;10/11/2026;Em aberto\n"
    "2;1;Padaria;11222333000181;50,00;10/11/2026;Cancelado\n"
    "3;1;Padaria;11222333000181;70,00;10/12/2026;A receber\n"
    "4;1;Padaria;11222333000181;80,00;10/12/2026;Quitado\n"
)


def test_a_row_the_export_says_was_paid_or_cancelled_is_no_receivable() -> None:
    # A business going live exports its whole receivables book, paid titles included: none of those is chased, and
    # what is still owed of an invoice partly paid is.
    results = read(STATUSES)
    assert _shown(results) == [
        (2, "status_paid"),
        (3, "1"),  # invoice 1: its second installment, still owed
        (4, "status_cancelled"),
        (5, "3"),
        (6, "status_paid"),
    ]
    invoices = {r.invoice.number: r for r in results if isinstance(r, ParsedInvoice)}
    assert [(i.number, i.amount.amount) for i in invoices["1"].invoice.installments] == [("2", 10000)]
    assert (invoices["1"].settled, invoices["3"].settled) == (True, False)
    refused = rejected(results[0])
    assert row_message(refused.problem.code, refused.problem.facts, "pt-BR") == (
        "A planilha diz que esta parcela foi paga (“Recebido”): não foi registrada como em aberto"
    )


@pytest.mark.parametrize("status", ["Em aberto", "Vencido", "Parcial", "open", "", "Pendente", "Cobrado", "Estornado"])
def test_any_other_status_is_a_receivable(status: str) -> None:
    text = f"Número;Cliente;Valor;Vencimento;Status\n1;Padaria;100,00;10/12/2026;{status}\n"
    assert only_invoice(text).total.amount == 10000


def test_an_estado_column_is_the_customers_state_not_the_rows_status() -> None:
    text = "Número;Cliente;Cidade;Estado;Situação;Valor;Vencimento\n1;Padaria;Santos;SP;Em aberto;100,00;10/12/2026\n"
    assert only_invoice(text).total.amount == 10000


def test_a_file_that_ends_every_row_with_a_comma_keeps_its_two_digit_columns() -> None:
    # The export closes each row with a comma its header lacks: 150 with installment 01 is no split amount.
    text = (
        "Número,Cliente,CNPJ,Vencimento,Valor,Parcela\n"
        "1,ACME,11222333000181,10/12/2026,150,01,\n"
        "2,ACME,11222333000181,10/12/2026,99.90,01,\n"
        "3,ACME,11222333000181,10/12/2026,1500.00,02,\n"
    )
    assert _shown(read(text)) == [(2, "1"), (3, "2"), (4, "3")]


def test_dates_read_day_first_while_a_few_prove_month_first_each_say_so() -> None:
    # Billing on the 10th, 2 of 12 rows proving month first (10/13, 10/14): too few to read the file month first,
    # too many to read the rest without a word.
    rows = [f"{n};ACME;11222333000181;100,00;10/{n:02d}/2026" for n in range(3, 15)]
    results = read("Número;Cliente;CNPJ;Valor;Vencimento\n" + "\n".join(rows) + "\n")
    doubts = [w for r in results if isinstance(r, ParsedInvoice) for w in r.warnings if w.code == "date_order_doubt"]
    assert len(doubts) == 9 and dict(doubts[0].facts) == {  # 10/10 reads the same either way
        "value": "10/03/2026",
        "day": "2026-03-10",
        "example": "10/13/2026",
        "line": "12",
    }
    assert [r.problem.code for r in results if isinstance(r, Rejection)] == ["not_date", "not_date"]
