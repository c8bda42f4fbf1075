"""Texts of the notifications about invoices: the customer's invoice notice and the back office's upload reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ponte.domain.bodies.invoices import InvoiceIssued, InvoicesImported, NewCustomerInvoice, UploadQuarantined
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


# One installment of the customer's invoice, as the collection notices list an invoice: what, how much, by when.
_INSTALLMENT: dict[Locale, str] = {
    "pt-BR": "- parcela {number}: {amount}, vencimento {due}",
    "es": "- cuota {number}: {amount}, vencimiento {due}",
    "en": "- installment {number}: {amount}, due {due}",
}


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
            _INSTALLMENT[fmt.locale].format(
                number=installment.number, amount=fmt.money(installment.amount), due=fmt.date(installment.due_date)
            )
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
        "cancelled": str(body.cancelled),
        "warnings": str(body.warnings),
        "opening": _OPENING[locale] if body.opening else "",
        "report": body.report,
        "when": fmt.moment(notification.occurred_at),
    }


_NOT_GIVEN: dict[Locale, str] = {"pt-BR": "não informado", "es": "no informado", "en": "not given"}
_OPENING: dict[Locale, str] = {
    "pt-BR": "\nCarteira de abertura: nenhum cliente foi avisado; a régua começa hoje para o que já venceu.\n",
    "es": "\nCartera de apertura: no se avisó a ningún cliente; el cobro empieza hoy para lo ya vencido.\n",
    "en": "\nOpening book: no customer was told; the ladder starts today for what is already overdue.\n",
}


def _new_customer_invoice(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, NewCustomerInvoice)
    none = _NOT_GIVEN[fmt.locale]
    items = "\n".join(
        f"  {item.description}"
        + (f" x {item.quantity}" if item.quantity else "")
        + (f"  {fmt.money(item.amount)}" if item.amount else "")
        for item in body.items
    )
    return {
        "customer": body.customer_name,
        "contact": body.contact or none,
        "number": body.invoice_number,
        "issuer": body.issuer or none,
        "total": fmt.money(body.total),
        "schedule": "\n".join(f"  {i.number}: {fmt.date(i.due_date)}  {fmt.money(i.amount)}" for i in body.installments)
        or f"  {none}",
        "items": items or f"  {none}",
        "owner": notification.owner or none,
        "source": body.source,
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
                    "Vencimentos:\n{schedule}\n\nCada parcela pode ser paga até o fim do dia do vencimento.\n"
                ),
                sms="Fatura {number}: {first_amount} vence em {first_due}. Total {total}.",
            ),
            "es": Texts(
                subject="Factura {number}: {total}, vencimiento {first_due}",
                email=(
                    "Hola, {customer}.\n\nEmitimos la factura {number}, por un importe de {total}.\n\n"
                    "Vencimientos:\n{schedule}\n\nCada cuota puede pagarse hasta el final del día de su vencimiento.\n"
                ),
                sms="Factura {number}: {first_amount} vence el {first_due}. Total {total}.",
            ),
            "en": Texts(
                subject="Invoice {number}: {total}, due {first_due}",
                email=(
                    "Hello, {customer}.\n\nWe have issued invoice {number} for {total}.\n\n"
                    "Due dates:\n{schedule}\n\nEach installment can be paid until the end of its due date.\n"
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
                    "Rejeitadas: {rejected_count}\nContas abertas: {accounts}\nNF-e canceladas: {cancelled}\n"
                    "Avisos a conferir: {warnings}\n{opening}\nRelatório: {report}\n"
                ),
                sms="Ponte: {imported} de {file}, {rejected} (ver relatório).",
            ),
            "es": Texts(
                subject="{imported} de {file}, {rejected}",
                email=(
                    "{imported} de {file}, {rejected} (ver informe).\n\n"
                    "Archivo: {path} ({format}), recibido el {when}\n"
                    "Nuevas: {new}\nCorregidas: {corrected}\nYa registradas, sin cambios: {unchanged}\n"
                    "Rechazadas: {rejected_count}\nCuentas abiertas: {accounts}\nNF-e canceladas: {cancelled}\n"
                    "Avisos por revisar: {warnings}\n{opening}\nInforme: {report}\n"
                ),
                sms="Ponte: {imported} de {file}, {rejected} (ver informe).",
            ),
            "en": Texts(
                subject="{imported} from {file}, {rejected}",
                email=(
                    "{imported} from {file}, {rejected} (see report).\n\n"
                    "File: {path} ({format}), received on {when}\n"
                    "New: {new}\nCorrected: {corrected}\nAlready recorded, unchanged: {unchanged}\n"
                    "Rejected: {rejected_count}\nAccounts opened: {accounts}\nNF-e cancelled: {cancelled}\n"
                    "Warnings to check: {warnings}\n{opening}\nReport: {report}\n"
                ),
                sms="Ponte: {imported} from {file}, {rejected} (see report).",
            ),
        },
    ),
    "customer.first_invoice": Entry(
        _new_customer_invoice,
        {
            "pt-BR": Texts(
                subject="Novo cliente: {customer}, nota {number} de {total}",
                email=(
                    "Foi emitida a primeira nota para {customer}, um cliente novo. Pode iniciar a entrega.\n\n"
                    "Cliente: {customer}\nContato: {contact}\nNota: {number}\nEmitente: {issuer}\n"
                    "Total: {total}\n\nItens:\n{items}\n\nVencimentos:\n{schedule}\n\n"
                    "Responsável: {owner}\nOrigem: {source}\n"
                ),
                sms="Ponte: novo cliente {customer}, nota {number} de {total}. Resp.: {owner}",
            ),
            "es": Texts(
                subject="Nuevo cliente: {customer}, factura {number} de {total}",
                email=(
                    "Se emitió la primera factura a {customer}, un cliente nuevo. Puede iniciar la entrega.\n\n"
                    "Cliente: {customer}\nContacto: {contact}\nFactura: {number}\nEmisor: {issuer}\n"
                    "Total: {total}\n\nArtículos:\n{items}\n\nVencimientos:\n{schedule}\n\n"
                    "Responsable: {owner}\nOrigen: {source}\n"
                ),
                sms="Ponte: nuevo cliente {customer}, factura {number} de {total}. Resp.: {owner}",
            ),
            "en": Texts(
                subject="New customer: {customer}, invoice {number} for {total}",
                email=(
                    "The first invoice was issued to {customer}, a new customer. Delivery can start.\n\n"
                    "Customer: {customer}\nContact: {contact}\nInvoice: {number}\nIssuer: {issuer}\n"
                    "Total: {total}\n\nItems:\n{items}\n\nDue dates:\n{schedule}\n\n"
                    "Owner: {owner}\nSource: {source}\n"
                ),
                sms="Ponte: new customer {customer}, invoice {number} for {total}. Owner: {owner}",
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
