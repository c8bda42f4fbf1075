"""Uploads as people really export them, through the upload use case: Excel's "Unicode text", a UTF-8 file with a
line in Windows-1252, and cells a spreadsheet would run as formulas. What the back office reads in the report and
what the platform and the owners hear."""

from __future__ import annotations

from typing import Any

from ponte.domain.bodies.accounts import AccountOpened
from ponte.domain.identity import new_account_id
from ponte.domain.notifications import Audience
from tests.unit.test_uploads_service import World
from tests.upload_support import excel_unicode_text

AVILA = new_account_id([("tax_id", "12345678000195")])
HEADER = "Número;Parcela;Cliente;CNPJ/CPF;Código cliente;Valor;Vencimento\n"


def report(world: World, name: str) -> Any:
    return world.objects.report(f"processed/{name}.report.json")


def texts(value: object) -> list[str]:
    """Every string in a notification's body, however deep."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in texts(item)]
    return []


def test_an_excel_unicode_text_export_is_recorded() -> None:
    world = World()
    sheet = [
        ["Número", "Parcela", "Cliente", "CNPJ/CPF", "Valor", "Vencimento"],
        ["1001", "1", "Conceição Ávila & Filhos", "12.345.678/0001-95", "1.234,56", "10/12/2026"],
        ["1001", "2", "Conceição Ávila & Filhos", "12.345.678/0001-95", "1.234,56", "10/01/2027"],
        ["1002", "1", "Padaria São João", "123.456.789-09", "99,90", "15/12/2026"],
    ]
    outcome = world.upload("incoming/contas a receber.txt", excel_unicode_text(sheet))
    assert (outcome.status, outcome.counts.created, outcome.counts.accounts_opened, outcome.rejected) == (
        "imported",
        2,
        2,
        0,
    )
    assert world.store.ledgers[AVILA].account.name == "Conceição Ávila & Filhos"
    found = report(world, "contas a receber.txt")
    assert (found["file"]["format"], found["warnings"]) == ("csv", [])


def test_a_windows_line_in_a_utf8_upload_is_read_right_and_reported() -> None:
    world = World()
    data = (
        HEADER.encode()
        + "1;1;São Paulo Comércio;11.222.333/0001-81;;10,00;10/12/2026\n".encode()
        + b"2;1;Concei\xe7\xe3o \xc1vila;12.345.678/0001-95;;20,00;10/12/2026\n"
    )
    outcome = world.upload("incoming/nov.csv", data)
    assert (outcome.counts.created, outcome.rejected) == (2, 0)
    names = sorted(ledger.account.name for ledger in world.store.ledgers.values())
    assert names == ["Conceição Ávila", "São Paulo Comércio"]  # neither one garbled
    found = report(world, "nov.csv")
    assert found["warnings"] == [
        {
            "line": 3,
            "message": "A linha 3 não está em UTF-8 como o resto do arquivo: lida como Windows-1252, confira os "
            "acentos",
            "code": "other_encoding",
            "reason": "line 3 is not UTF-8 like the rest of the file: read as Windows-1252, check its accents",
        }
    ]
    assert found["counts"]["warnings"] == 1


def test_formula_cells_reach_no_event_or_alert_and_the_report_says_so() -> None:
    world = World(notices=True)
    hyperlink = '"=HYPERLINK(""https://pague.example"";""Pague aqui"")"'
    data = (
        HEADER
        + f"1;1;{hyperlink};12.345.678/0001-95;;10,00;10/12/2026\n"
        + "2;1;;;=cmd|' /C calc'!A0;10,00;10/12/2026\n"  # known by its reference alone
        + "=3+1;1;Ana;123.456.789-09;;10,00;10/12/2026\n"
        + "4;1;Bia;987.654.321-00;;-12,50;10/12/2026\n"
    ).encode()
    outcome = world.upload("incoming/nov.csv", data)
    assert (outcome.counts.created, outcome.counts.accounts_opened, outcome.rejected) == (2, 2, 2)
    told = world.store.outbox + world.ledger.notices  # the platform's events, the owners' alerts, any notice
    shown = [text for notification in told for text in texts(notification.body.model_dump(mode="json"))]
    assert shown and not [text for text in shown if text.lstrip()[:1] in ("=", "+", "-", "@")]
    opened = [n.body for n in world.store.outbox if n.audience is Audience.PLATFORM]
    assert sorted(body.account_name for body in opened if isinstance(body, AccountOpened)) == [
        'HYPERLINK("https://pague.example";"Pague aqui")',
        "cmd|' /C calc'!A0",
    ]
    found = report(world, "nov.csv")
    assert [(w["line"], w["reason"].split(",")[0]) for w in found["warnings"]] == [(2, "customer name begins with '='")]
    assert [(r["line"], r["reason"].split(",")[0]) for r in found["rejected"]] == [
        (4, "invoice number begins with '='"),
        (5, "amount must be greater than zero"),  # an amount is a number, not a formula: refused as before
    ]
