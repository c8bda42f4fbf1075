"""Texts of the notifications about invoices: the customer's invoice notice and the back office's upload reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ponte.domain.bodies.invoices import InvoiceIssued, InvoicesImported, UploadQuarantined
from ponte.messages.catalog import Entry, Texts

if TYPE_CHECKING:
    from ponte.domain.accounts import Locale
    from ponte.domain.notifications import Notification
    from ponte.messages.formatting import Formatter

_IMPORTED: dict[Locale, tuple[str, str]] = {
    "pt-BR": ("fatura importada", "faturas importadas"),
    "es": ("factura importada", "facturas importadas"),
    "en": ("invoice imported", "invoices imported"),
}
_REJECTED: dict[Locale, tuple[str, str]] = {
    "pt-BR": ("rejeitada", "rejeitadas"),
    "es": ("rechazada", "rechazadas"),
    "en": ("rejected", "rejected"),
}


def _count(number: int, nouns: tuple[str, str], locale: Locale) -> str:
    from babel.numbers import format_decimal  # noqa: PLC0415 - Babel's data loads only when a message is rendered

    return f"{format_decimal(number, locale=locale.replace('-', '_'))} {nouns[0] if number == 1 else nouns[1]}"


def _file_name(key: str) -> str:
    return key.rsplit("/", 1)[-1]


def _invoice_issued(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, InvoiceIssued)
    first = body.installments[0]
    return {
        "customer": body.customer_name,
        "number": body.invoice_number,
        "total": fmt.money(body.total),
        "first_due": fmt.date(first.due_date),
        "first_amount": fmt.money(first.amount),
        "schedule": "\n".join(
            f"  {installment.number}: {fmt.date(installment.due_date)}  {fmt.money(installment.amount)}"
            for installment in body.installments
        ),
    }


def _invoices_imported(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, InvoicesImported)
    locale = fmt.locale
    return {
        "file": _file_name(body.file),
        "path": body.file,
        "format": body.file_format.upper(),
        "imported": _count(body.imported, _IMPORTED[locale], locale),
        "new": str(body.imported - body.corrected),
        "corrected": str(body.corrected),
        "unchanged": str(body.unchanged),
        "rejected": _count(body.rejected, _REJECTED[locale], locale),
        "rejected_count": str(body.rejected),
        "accounts": str(body.accounts_opened),
        "report": body.report,
        "when": fmt.moment(notification.occurred_at),
    }


def _upload_quarantined(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, UploadQuarantined)
    return {
        "file": _file_name(body.file),
        "path": body.file,
        "reason": body.reason,
        "report": body.report,
        "when": fmt.moment(notification.occurred_at),
    }


ENTRIES: dict[str, Entry] = {
    "invoice.issued": Entry(
        _invoice_issued,
        {
            "pt-BR": Texts(
                subject="Fatura {number}: {total}, vencimento {first_due}",
                email=(
                    "Olá, {customer}.\n\nEmitimos a fatura {number}, no valor de {total}.\n\n"
                    "Vencimentos:\n{schedule}\n\nO vencimento termina no fim do dia indicado.\n"
                ),
                sms="Fatura {number}: {first_amount} vence em {first_due}. Total {total}.",
            ),
            "es": Texts(
                subject="Factura {number}: {total}, vencimiento {first_due}",
                email=(
                    "Hola, {customer}.\n\nEmitimos la factura {number}, por un importe de {total}.\n\n"
                    "Vencimientos:\n{schedule}\n\nCada vencimiento termina al final del día indicado.\n"
                ),
                sms="Factura {number}: {first_amount} vence el {first_due}. Total {total}.",
            ),
            "en": Texts(
                subject="Invoice {number}: {total}, due {first_due}",
                email=(
                    "Hello, {customer}.\n\nWe have issued invoice {number} for {total}.\n\n"
                    "Due dates:\n{schedule}\n\nEach due date ends at the end of that day.\n"
                ),
                sms="Invoice {number}: {first_amount} due {first_due}. Total {total}.",
            ),
        },
    ),
    "invoices.imported": Entry(
        _invoices_imported,
        {
            "pt-BR": Texts(
                subject="{imported} de {file}, {rejected}",
                email=(
                    "{imported} de {file}, {rejected} (ver relatório).\n\n"
                    "Arquivo: {path} ({format}), recebido em {when}\n"
                    "Novas: {new}\nCorrigidas: {corrected}\nJá registradas, sem mudança: {unchanged}\n"
                    "Rejeitadas: {rejected_count}\nContas abertas: {accounts}\n\nRelatório: {report}\n"
                ),
                sms="Ponte: {imported} de {file}, {rejected} (ver relatório).",
            ),
            "es": Texts(
                subject="{imported} de {file}, {rejected}",
                email=(
                    "{imported} de {file}, {rejected} (ver informe).\n\n"
                    "Archivo: {path} ({format}), recibido el {when}\n"
                    "Nuevas: {new}\nCorregidas: {corrected}\nYa registradas, sin cambios: {unchanged}\n"
                    "Rechazadas: {rejected_count}\nCuentas abiertas: {accounts}\n\nInforme: {report}\n"
                ),
                sms="Ponte: {imported} de {file}, {rejected} (ver informe).",
            ),
            "en": Texts(
                subject="{imported} from {file}, {rejected}",
                email=(
                    "{imported} from {file}, {rejected} (see report).\n\n"
                    "File: {path} ({format}), received on {when}\n"
                    "New: {new}\nCorrected: {corrected}\nAlready recorded, unchanged: {unchanged}\n"
                    "Rejected: {rejected_count}\nAccounts opened: {accounts}\n\nReport: {report}\n"
                ),
                sms="Ponte: {imported} from {file}, {rejected} (see report).",
            ),
        },
    ),
    "invoices.quarantined": Entry(
        _upload_quarantined,
        {
            "pt-BR": Texts(
                subject="Arquivo {file} não importado",
                email=(
                    "O arquivo {path}, recebido em {when}, não foi importado: {reason}.\n\n"
                    "Nada foi registrado. O arquivo foi movido para a quarentena.\nRelatório: {report}\n"
                ),
                sms="Ponte: arquivo {file} nao importado: {reason}.",
            ),
            "es": Texts(
                subject="Archivo {file} no importado",
                email=(
                    "El archivo {path}, recibido el {when}, no se importó: {reason}.\n\n"
                    "No se registró nada. El archivo se movió a cuarentena.\nInforme: {report}\n"
                ),
                sms="Ponte: archivo {file} no importado: {reason}.",
            ),
            "en": Texts(
                subject="File {file} not imported",
                email=(
                    "The file {path}, received on {when}, was not imported: {reason}.\n\n"
                    "Nothing was recorded. The file was moved to quarantine.\nReport: {report}\n"
                ),
                sms="Ponte: file {file} not imported: {reason}.",
            ),
        },
    ),
}
