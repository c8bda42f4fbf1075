"""An upload's report says what is wrong with each refused row, and what to check in each recorded with a warning, in
the back office's language (`message`), beside the English `reason` for whoever debugs the file: never a field's
internal name or an English fragment in the sentence a business owner reads to fix their file."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from typing import Any, get_args

import pytest

from ponte.domain.accounts import Locale
from ponte.domain.uploads import RowCode
from ponte.invoices import ParsedInvoice, Rejection, parse_upload
from ponte.invoices.csv_format import parse
from ponte.invoices.options import ParseOptions
from ponte.messages.texts.invoices import CSV_COLUMNS
from ponte.messages.texts.rows import ROWS, row_message
from tests.unit.test_uploads_service import World

LOCALES: tuple[Locale, ...] = ("pt-BR", "es", "en")
CODES = get_args(RowCode)
# Every fact any sentence uses, with a value of the kind it holds.
FACTS = {
    "field": "due_date",
    "limit": "200",
    "value": "31/11/2026",
    "currency": "BRL",
    "number": "2026-105",
    "billed": "200.00",
    "total": "250.00",
    "cells": "9",
    "width": "8",
    "other": "12",
    "rows": "3",
    "line": "11",
    "character": "=",
    "element": "ide/dhEmi",
    "status": "110",
    "position": "2",
    "stated": "USD",
    "what": "payment_links",
    "why": "inactive",
    "owner": "Beto",
    "encoding": "cp1252",
    "file_encoding": "utf-8",
    "days": "30",
    "places": "2",
    "date": "9999-12-31",
    "years": "10",
    "last": "14",
    "read": "04252011000110",
    "day": "2027-01-02",
    "order": "mdy",
    "example": "12/31/2026",
    "issued": "2026-12-10",
    "column": "Valor (centavos)",
    "paid": "50.00",
}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_code_has_a_sentence_in_every_language(locale: Locale) -> None:
    assert set(ROWS[locale]) == set(CODES)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("code", CODES)
def test_each_sentence_is_filled_from_its_facts(locale: Locale, code: str) -> None:
    message = row_message(code, FACTS, locale)
    assert "{" not in message and "}" not in message
    assert not message[0].islower()
    if code != "unreadable":
        assert message != row_message("unreadable", {}, locale)
    assert "due_date" not in message and "payment_links" not in message  # fields and kinds in the reader's words


def test_facts_are_written_as_the_language_writes_them() -> None:
    assert row_message("missing_field", {"field": "due_date"}, "pt-BR") == "Vencimento: não preenchido"
    assert row_message("missing_field", {"field": "amount"}, "es") == "Importe: sin completar"
    facts = {"number": "7", "billed": "1200.5", "total": "1300", "currency": "BRL"}
    sum_pt = row_message("installments_sum", facts, "pt-BR")
    assert "R$\xa01.200,50" in sum_pt and "R$\xa01.300,00" in sum_pt
    paid = {"paid": "1250.5", "billed": "1300", "currency": "BRL"}
    assert row_message("partly_paid", paid, "pt-BR") == (
        "A planilha diz que R$\xa01.250,50 dos R$\xa01.300,00 desta parcela foram pagos: o restante é o que está "
        "em aberto"
    )
    assert "2,000 characters" in row_message("too_long", {"field": "email", "limit": "2000"}, "en")
    assert "2.000 caracteres" in row_message("too_long", {"field": "email", "limit": "2000"}, "pt-BR")
    # A line number as the spreadsheet shows it, as the alert's list of rows writes it too.
    assert row_message("repeated_line", {"line": "1234", "other": "2"}, "pt-BR") == (
        "A linha 1234 repete a linha 2: lida uma vez só"
    )
    assert "Line 12345 disagrees with line 10001" in row_message(
        "rows_disagree", {"line": "12345", "other": "10001"}, "en"
    )
    assert "“REA”" in row_message("unknown_currency", {"value": "REA"}, "pt-BR")
    assert "Windows-1252" in row_message(
        "other_encoding", {"line": "3", "encoding": "cp1252", "file_encoding": "utf-8"}, "es"
    )


def test_an_unknown_code_or_a_missing_fact_gives_the_general_sentence() -> None:
    general = row_message("unreadable", {}, "pt-BR")
    assert general == "Não foi possível ler esta linha ou documento"
    assert row_message("a_code_of_a_later_version", {}, "pt-BR") == general
    assert row_message("not_date", {}, "pt-BR") == general


BAD_ROWS = "\n".join(
    [
        "Número;Parcela;Cliente;CNPJ/CPF;Valor;Vencimento;Moeda",
        "101;1;Mercado Bom Preço;11.444.777/0001-61;1.250,00;20/11/2026;BRL",
        "103;1;Clínica Sorriso;07.526.557/0001-00;;25/11/2026;BRL",
        "104;1;Ana Ferreira;529.982.247-25;-90,00;25/11/2026;BRL",
        "105;1;Bar do Zé;27.865.757/0001-02;310,00;31/11/2026;BRL",
        "106;1;Importadora Sul;60.701.190/0001-04;99,90;30/11/2026;REA",
        "107;1;Loja;60.701.190/0001-04;12,3x;30/11/2026;BRL",
        ";1;Sem Número;60.701.190/0001-04;10,00;30/11/2026;BRL",
        "108;1;;;10,00;30/11/2026;BRL",
        "109;1;Loja Dois;60.701.190/0001-04;10,00;30/11/2026;BRL",
        "109;2;Loja Dois;60.701.190/0001-04;10,00;30/12/2026;USD",
        "110;1;Loja Três;60.701.190/0001-04;10,00;30/11/2026;BRL",
        "110;2;Loja Três;60.701.190/0001-04;;30/12/2026;BRL",
    ]
)


def _results(text: str) -> list[Any]:
    return list(parse(io.BytesIO(text.encode()), options=ParseOptions()))


def test_each_refused_csv_row_says_why_in_a_code_with_its_facts() -> None:
    refused = {r.line: r.problem for r in _results(BAD_ROWS) if isinstance(r, Rejection)}
    shown = {line: (p.code, dict(p.facts)) for line, p in refused.items()}
    assert shown == {
        3: ("missing_field", {"field": "amount"}),
        4: ("not_positive", {"value": "-90,00"}),
        5: ("no_such_date", {"value": "31/11/2026"}),
        6: ("unknown_currency", {"value": "REA"}),
        7: ("not_amount", {"value": "12,3x"}),
        8: ("missing_field", {"field": "number"}),
        9: ("missing_customer", {}),
        10: ("rows_disagree", {"line": "11", "other": "10", "number": "109"}),
        12: ("sibling_refused", {"number": "110", "other": "13"}),
        13: ("missing_field", {"field": "amount"}),
    }
    # The English reason stays, for whoever debugs the file.
    assert refused[3].reason == "missing amount" and "31/11/2026" in refused[5].reason


def test_the_warnings_of_a_recorded_row_are_coded_too() -> None:
    text = "\n".join(
        [
            "Número;Parcela;Cliente;Celular;Valor;Vencimento",
            "201;1;Só Nome;11 99999-0000;10,00;30/11/2026",
            "201;2;Só Nome;11 98888-0000;10,00;30/12/2026",
            "202;1;=Fórmula Ltda;;10,00;30/11/2026",
        ]
    )
    parsed = {
        r.line: r
        for r in parse_upload("linhas.csv", io.BytesIO(text.encode()), ParseOptions())
        if isinstance(r, ParsedInvoice)
    }
    assert {(w.code, tuple(sorted(w.facts.items()))) for w in parsed[2].warnings} == {
        ("name_only", ()),
        ("contacts_differ", (("what", "mobiles"),)),
    }
    assert [(w.code, dict(w.facts)) for w in parsed[4].warnings if w.code != "name_only"] == [
        ("formula_cut", {"field": "customer_name", "character": "="})
    ]


def test_the_report_gives_each_row_in_the_back_offices_language() -> None:
    world = World()
    outcome = world.upload("incoming/recebiveis.csv", BAD_ROWS.encode())
    assert outcome.rejected == 10
    report = world.objects.report("processed/recebiveis.csv.report.json")
    rows = {row["line"]: row for row in report["rejected"]}
    assert rows[3]["message"] == "Valor: não preenchido"
    assert rows[5]["message"] == "A data “31/11/2026” não existe no calendário"
    assert rows[6]["message"].startswith("“REA” não é uma moeda conhecida")
    assert rows[12]["message"] == "A fatura 110 não foi registrada: a linha 13 dela foi recusada"
    for row in rows.values():
        assert set(row) == {"line", "message", "code", "reason"}
        assert row["message"] != row_message("unreadable", {}, "pt-BR"), row
        # No field's internal name and no English word in what the owner reads.
        assert not re.search(r"\b(amount|due_date|missing|invoice|line|not)\b", row["message"]), row


def test_a_warning_in_the_report_is_in_the_back_offices_language() -> None:
    world = World()
    world.settings = replace(world.settings, staff_locale="es")
    text = "Número;Cliente;Valor;Vencimento\n301;Sin Documento;10,00;30/11/2026\n"
    world.upload("incoming/solo-nombre.csv", text.encode())
    (warning,) = world.objects.report("processed/solo-nombre.csv.report.json")["warnings"]
    assert warning["code"] == "name_only" and warning["line"] == 2
    assert warning["message"].startswith("Cliente identificado solo por el nombre")


def test_column_names_come_from_the_csv_vocabulary() -> None:
    # The labels a missing field is named by are the CSV's own column names in each language.
    for locale in LOCALES:
        assert row_message("missing_field", {"field": "due_date"}, locale).startswith(
            CSV_COLUMNS[locale]["due_date"].capitalize()
        )


def test_a_mistyped_cnpj_or_cpf_is_recorded_with_a_warning_to_check_it() -> None:
    text = "\n".join(
        [
            "Número;Cliente;CNPJ/CPF;Valor;Vencimento",
            "401;Mercado Bom Preço;11.444.777/0001-62;10,00;30/11/2026",  # the last digit mistyped (…-61)
            "402;Ana Ferreira;529.982.247-24;10,00;30/11/2026",  # (…-25)
            "403;Mercado Bom Preço;11.444.777/0001-61;10,00;30/11/2026",
            "404;Nordic Import;DK12345678;10,00;30/11/2026",  # a foreign buyer's id is not judged
            "405;Dutch Import;NL 8599.22.367.B01;10,00;30/11/2026",  # 14 characters, a VAT number's, not a CNPJ
        ]
    )
    parsed = {r.invoice.number: r for r in _results(text) if isinstance(r, ParsedInvoice)}
    assert len(parsed) == 5  # recorded all the same
    flagged = {number: [(w.code, dict(w.facts)) for w in p.warnings] for number, p in parsed.items()}
    assert flagged == {
        "401": [("tax_id_digits", {"value": "11.444.777/0001-62"})],
        "402": [("tax_id_digits", {"value": "529.982.247-24"})],
        "403": [],
        "404": [],
        "405": [],
    }
    assert row_message("tax_id_digits", flagged["401"][0][1], "pt-BR").startswith(
        "O CNPJ/CPF “11.444.777/0001-62” não confere"
    )


def test_a_tax_id_is_judged_as_a_cpf_or_cnpj_only_for_a_business_in_brazil() -> None:
    text = "Número;Cliente;CNPJ/CPF;Valor;Vencimento\n501;Cliente;52998224724;10,00;30/11/2026\n"
    (found,) = list(parse(io.BytesIO(text.encode()), options=ParseOptions(default_country="PT")))
    assert isinstance(found, ParsedInvoice) and found.warnings == ()


def test_rows_carried_over_from_a_run_before_codes_say_what_they_are_not_that_they_were_unread() -> None:
    from ponte.domain.uploads import RowRefusal, UploadProgress
    from ponte.services.uploads import WINDOW, continue_upload
    from tests.upload_support import csv_file, many_rows

    world = World()
    upload = world.put("incoming/long.csv", csv_file(*many_rows(WINDOW + 5)))
    world.time_left = 1  # under the margin: the run stops after one window
    assert world.receive(upload).status == "continued"
    sent = world.queue.sent.pop(0)
    # The continuation as a version before codes wrote it: rows with a line and an English reason only.
    old = UploadProgress.model_validate_json(
        sent.model_copy(
            update={
                "warnings": (RowRefusal(line=2, reason="customer identified by name only"),),
                "refused": (RowRefusal(line=9, reason="invoice 9 is already paid, at least in part"),),
            }
        ).model_dump_json(exclude={"warnings": {0: {"code", "facts"}}, "refused": {0: {"code", "facts"}}})
    )
    assert old.warnings[0].code is None and old.refused[0].code is None

    continue_upload(old, ports=world.ports, settings=world.settings, time_left=lambda: 600)

    report = world.objects.report("processed/long.csv.report.json")
    assert report["warnings"][0]["message"] == "Esta linha foi registrada, com algo a conferir"
    refused = next(row for row in report["rejected"] if row["line"] == 9)
    assert refused["message"] == "Esta linha não foi registrada"


def test_the_field_named_is_the_one_the_error_is_about() -> None:
    from ponte.invoices.json_format import parse as parse_json

    document = {
        "number": "7",
        "issue_date": "2026-11-01",
        "currency": "BRL",
        "total": "20.00",
        "customer": {"name": "Cliente", "tax_id": "12345678000195"},
        "installments": [{"number": "x" * 41, "due_date": "2026-12-01", "amount": "20.00"}],
    }
    (found,) = list(parse_json(io.BytesIO(json.dumps(document).encode()), options=ParseOptions()))
    assert isinstance(found, Rejection)
    assert (found.problem.code, dict(found.problem.facts)) == ("too_long", {"field": "installment", "limit": "40"})
    assert row_message(found.problem.code, found.problem.facts, "pt-BR") == "Parcela: mais de 40 caracteres"


@pytest.mark.parametrize(
    ("total", "code", "value"),
    [
        ("10.5555", "too_many_decimals", "10.5555"),
        ("1e30", "amount_too_large", "1E+30"),
        ("dez", "invalid_field", None),
    ],
)
def test_an_amount_a_document_gives_is_refused_by_what_is_wrong_with_it(
    total: str, code: str, value: str | None
) -> None:
    from ponte.invoices.json_format import parse as parse_json

    document = {
        "number": "8",
        "issue_date": "2026-11-01",
        "currency": "BRL",
        "total": total,
        "due_date": "2026-12-01",
        "customer": {"name": "Cliente", "tax_id": "12345678000195"},
    }
    (found,) = list(parse_json(io.BytesIO(json.dumps(document).encode()), options=ParseOptions()))
    assert isinstance(found, Rejection) and found.problem.code == code
    assert found.problem.facts.get("value") == value  # a decimal the document wrote, as read
    assert row_message(code, found.problem.facts, "pt-BR") != row_message("unreadable", {}, "pt-BR")
