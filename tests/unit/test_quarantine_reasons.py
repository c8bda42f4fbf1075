"""Why a file was set aside reads as a sentence in its reader's language: every code any refusal in the code base
uses has its sentence and what to do in every locale, each sentence names only facts its refusals give, and the
facts are written as the locale writes them."""

from __future__ import annotations

import ast
import io
from pathlib import Path
from string import Formatter
from typing import TYPE_CHECKING, get_args

import pytest

from ponte.domain.accounts import LOCALES
from ponte.domain.bodies.invoices import QuarantineCode, UploadQuarantined
from ponte.domain.notifications import Audience, Notification, Severity, Team
from ponte.invoices import CsvField, FileRejected, ParseOptions, parse_upload
from ponte.messages import render
from ponte.messages.texts.invoices import CSV_COLUMNS, DERIVED_FACTS, REFUSALS, refusal
from tests.message_cases import CASES, TIME_ZONE
from tests.support import T0
from tests.unit.test_uploads_service import World

if TYPE_CHECKING:
    from ponte.domain.accounts import Locale

PACKAGE = Path(__file__).resolve().parents[2] / "layers" / "ponte" / "ponte"
CODES = frozenset(get_args(QuarantineCode))
# FileRejected's keyword arguments, by the fact each one gives.
FACT_OF = {
    "line": "line",
    "size": "size",
    "limit": "limit",
    "extension": "extension",
    "file_format": "format",
    "columns": "columns",
}


def _refusals() -> list[tuple[str, int, str, frozenset[str]]]:
    """Every `FileRejected(...)` in the package: where, its code, and the facts it gives."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name != "FileRejected":
                continue
            keywords = {keyword.arg: keyword.value for keyword in node.keywords}
            code = keywords.get("code")
            assert isinstance(code, ast.Constant) and isinstance(code.value, str), f"{path.name}:{node.lineno}"
            facts = frozenset(FACT_OF[arg] for arg in keywords if arg in FACT_OF)
            found.append((path.name, node.lineno, code.value, facts))
    return found


REFUSAL_SITES = _refusals()


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def test_every_code_a_refusal_uses_is_a_known_code_and_every_code_is_used() -> None:
    assert {code for _, _, code, _ in REFUSAL_SITES} == CODES


@pytest.mark.parametrize("locale", LOCALES)
def test_every_code_has_its_sentence_and_what_to_do_in_every_locale(locale: Locale) -> None:
    assert set(REFUSALS[locale]) == CODES
    for code, (reason, advice) in REFUSALS[locale].items():
        assert reason and advice.endswith("."), code
        assert not reason.endswith("."), f"{code}: the text puts the full stop"
        assert _placeholders(reason) == _placeholders(REFUSALS["en"][code][0]), f"{code}: other facts than in en"
        assert not _placeholders(advice), code


@pytest.mark.parametrize(
    ("where", "line", "code", "facts"), [pytest.param(*site, id=f"{site[0]}:{site[1]}") for site in REFUSAL_SITES]
)
def test_each_refusal_gives_every_fact_its_sentence_names(
    where: str, line: int, code: str, facts: frozenset[str]
) -> None:
    placeholders = _placeholders(REFUSALS["en"][code][0])  # type: ignore[index]
    assert {DERIVED_FACTS.get(name, name) for name in placeholders} <= facts


@pytest.mark.parametrize("locale", LOCALES)
def test_every_csv_field_has_its_name_in_every_locale(locale: Locale) -> None:
    assert set(CSV_COLUMNS[locale]) == {field.value for field in CsvField} | {"customer"}
    assert all("_" not in name for name in CSV_COLUMNS[locale].values())


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("pt-BR", "o arquivo tem 62,4 MB, acima do limite de 50,0 MB"),
        ("es", "el archivo tiene 62,4 MB, por encima del límite de 50,0 MB"),
        ("en", "the file is 62.4 MB, over the limit of 50.0 MB"),
    ],
)
def test_sizes_are_written_as_the_locale_writes_them(locale: Locale, expected: str) -> None:
    assert refusal("too_big", {"size": "62400000", "limit": "50000000"}, locale)[0] == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("pt-BR", "o cabeçalho não tem as colunas de número, valor e vencimento"),
        ("es", "el encabezado no tiene las columnas de número, importe y vencimiento"),
        ("en", "the header has no columns for number, amount, and due date"),
    ],
)
def test_missing_columns_are_named_as_the_upload_format_names_them(locale: Locale, expected: str) -> None:
    assert refusal("csv_missing_columns", {"columns": "number,amount,due_date"}, locale)[0] == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("pt-BR", "o cabeçalho não tem a coluna de vencimento"),
        ("es", "el encabezado no tiene la columna de vencimiento"),
        ("en", "the header has no column for due date"),
    ],
)
def test_one_missing_column_is_said_in_the_singular(locale: Locale, expected: str) -> None:
    assert refusal("csv_missing_columns", {"columns": "due_date"}, locale)[0] == expected


def test_a_body_from_before_codes_or_without_a_fact_its_sentence_needs_sends_the_reader_to_the_report() -> None:
    assert refusal(None, {}, "pt-BR")[0] == "o arquivo não pôde ser lido; o relatório diz por quê"
    assert refusal("csv_encoding", {}, "es")[0] == "el archivo no se pudo leer; el informe dice por qué"


@pytest.mark.parametrize(
    ("name", "data", "code", "facts"),
    [
        ("notas.pdf", b"%PDF-1.7", "unknown_extension", {"extension": ".pdf"}),
        ("notas.csv", b'{"number": "1"}', "extension_mismatch", {"extension": ".csv", "format": "json"}),
        ("notas.csv", b"Numero;Valor\n1;10,00\n", "csv_missing_columns", {"columns": "due_date,customer"}),
        (
            "notas.csv",
            "Número;Cliente;Valor;Total;Vencimento\n".encode(),
            "csv_ambiguous_columns",
            {"columns": "amount"},
        ),
        (
            "notas.csv",
            b"Numero;Cliente;Valor;Vencimento\n1;Ana;10,00;01/12/2026\n2;" + b"A" * 200_000 + b";1;1\n",
            "csv_malformed",
            {"line": "3"},
        ),
        (
            "notas.xml",
            b"<nfeProc xmlns='http://www.portalfiscal.inf.br/nfe'>\n<NFe>\n</nfeProc>",
            "xml_malformed",
            {"line": "3"},
        ),
        ("notas.json", b"[{}, {}", "json_malformed", {}),
    ],
)
def test_a_parser_refusal_carries_its_code_and_only_safe_facts(
    name: str, data: bytes, code: str, facts: dict[str, str]
) -> None:
    with pytest.raises(FileRejected) as refused:
        list(parse_upload(name, io.BytesIO(data), ParseOptions()))
    assert (refused.value.code, refused.value.facts) == (code, facts)


def test_the_back_office_reads_a_quarantined_file_in_its_own_language() -> None:
    world = World()
    outcome = world.upload("incoming/notas.csv", b"Numero;Valor\n1;10,00\n")
    assert outcome.status == "quarantined" and "no recognisable header" in (outcome.reason or "")
    (alert,) = world.ledger.alerts
    assert isinstance(alert.body, UploadQuarantined)
    assert (alert.body.code, alert.body.facts) == ("csv_missing_columns", {"columns": "due_date,customer"})
    message = render(alert, time_zone=TIME_ZONE)
    assert "o cabeçalho não tem as colunas de vencimento e cliente (nome, CNPJ/CPF ou código)." in message.email
    assert "Nada foi registrado." in message.email
    assert "no recognisable header" not in message.email + message.sms
    assert message.machine["data"]["reason"] == outcome.reason


def test_a_file_too_big_is_told_with_its_size_and_the_limit() -> None:
    world = World(max_bytes=5_000)
    world.upload("incoming/enorme.csv", b"x" * 6_200)
    (alert,) = world.ledger.alerts
    assert isinstance(alert.body, UploadQuarantined)
    assert (alert.body.code, alert.body.facts) == ("too_big", {"size": "6200", "limit": "5000"})


def test_every_quarantine_sms_is_whole() -> None:
    for case in CASES:
        if case.kind != "invoices.quarantined":
            continue
        for locale in LOCALES:
            sms = render(case.notification(locale), time_zone=TIME_ZONE).sms
            assert not sms.endswith("..."), f"{case.name}: cut: {sms!r}"


def test_an_old_alert_without_a_code_still_renders() -> None:
    body = UploadQuarantined(file="incoming/a.pdf", reason="unknown format", report="quarantine/a.pdf.report.json")
    note = Notification(
        notification_id="n1",
        audience=Audience.STAFF,
        severity=Severity.WARNING,
        team=Team.BACKOFFICE,
        account_id="_backoffice",
        locale="es",
        occurred_at=T0,
        body=body,
    )
    message = render(note, time_zone=TIME_ZONE)
    assert "el archivo no se pudo leer; el informe dice por qué" in message.email
    assert "unknown format" not in message.email


@pytest.mark.parametrize("locale", LOCALES)
def test_a_line_number_is_written_as_an_editor_shows_it(locale: Locale) -> None:
    reason, _ = refusal("csv_malformed", {"line": "12345"}, locale)
    assert "12345" in reason and "12.345" not in reason and "12,345" not in reason
