"""Texts of the notifications about invoices: the customer's invoice notice and the back office's upload reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ponte.domain.bodies.invoices import (
    InvoiceIssued,
    InvoicesImported,
    NewCustomerInvoice,
    QuarantineCode,
    UploadQuarantined,
)
from ponte.domain.money import Money
from ponte.messages.catalog import NOT_GIVEN, Entry, Texts
from ponte.messages.texts.collections import due_text, how_to_pay

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
# Rows a receivables book marks paid or cancelled (its status column): not recorded, and no error of the file.
_SETTLED: dict[Locale, tuple[str, str]] = {
    "pt-BR": ("parcela paga ou cancelada", "parcelas pagas ou canceladas"),
    "es": ("cuota pagada o cancelada", "cuotas pagadas o canceladas"),
    "en": ("installment paid or cancelled", "installments paid or cancelled"),
}
# Such a row of an invoice Ponte already collects changes nothing there: its payment is recorded in the console.
_SETTLED_LINE: dict[Locale, str] = {
    "pt-BR": "Parcelas pagas ou canceladas, não registradas: {count} (as que o Ponte já cobrava deixam de ser "
    "cobradas, salvo as que o relatório manda registrar no console)\n",
    "es": "Cuotas pagadas o canceladas, no registradas: {count} (las que Ponte ya cobraba dejan de cobrarse, salvo las "
    "que el informe indica registrar en la consola)\n",
    "en": "Installments paid or cancelled, not recorded: {count} (those Ponte was already collecting are no longer "
    "collected, but for those the report says to record in the console)\n",
}
_UNCHANGED: dict[Locale, tuple[str, str]] = {
    "pt-BR": ("já registrada", "já registradas"),
    "es": ("ya registrada", "ya registradas"),
    "en": ("already recorded", "already recorded"),
}
# What an upload did, in a line: "3 faturas importadas de nov.csv, 4 rejeitadas"; "Nenhuma fatura nova em nov.csv: 3
# já registradas"; what there is none of is not said.
_SUMMARY: dict[Locale, dict[str, str]] = {
    "pt-BR": {
        "imported": "{imported} de {file}",
        "none": "Nenhuma fatura nova em {file}",
        "empty": "Nenhuma fatura em {file}",
    },
    "es": {
        "imported": "{imported} de {file}",
        "none": "Ninguna factura nueva en {file}",
        "empty": "Ninguna factura en {file}",
    },
    "en": {"imported": "{imported} from {file}", "none": "No new invoice in {file}", "empty": "No invoice in {file}"},
}
_SEE_REPORT: dict[Locale, str] = {"pt-BR": " (ver relatório)", "es": " (ver informe)", "en": " (see report)"}


def _count(number: int, nouns: tuple[str, str], locale: Locale) -> str:
    return f"{_number(number, locale)} {nouns[0] if number == 1 else nouns[1]}"


def _number(number: int, locale: Locale) -> str:
    """A count as the locale writes it: `1.197` in pt-BR and es, `1,197` in en."""
    from babel.numbers import format_decimal  # noqa: PLC0415 - Babel's data loads only when a message is rendered

    return str(format_decimal(number, locale=locale.replace("-", "_")))


def _file_name(key: str) -> str:
    return key.rsplit("/", 1)[-1]


# One installment of the customer's invoice, as the collection notices list an invoice: what, how much, by when.
# A due date on a weekend or holiday reads as the collections notices read it: "vencimento em 25/12/2026 (feriado),
# prorrogado para 28/12/2026".
_INSTALLMENT: dict[Locale, str] = {
    "pt-BR": "- parcela {number}: {amount}, {due}",
    "es": "- cuota {number}: {amount}, {due}",
    "en": "- installment {number}: {amount}, {due}",
}


# An invoice recorded after its first due date (the back office uploads it late): the headline names the next
# installment still to pay, or says the last one is already due, never "vence em" a day that has passed.
_DUE_VERB: dict[Locale, tuple[str, str]] = {
    "pt-BR": ("vence em", "venceu em"),
    "es": ("vence el", "venció el"),
    "en": ("due", "was due"),
}
# An NF-e whose duplicatas bill less than its total (the rest paid at the sale): what is left to pay, beside it.
_TO_PAY: dict[Locale, str] = {
    "pt-BR": "{total} (a pagar: {due})",
    "es": "{total} (por pagar: {due})",
    "en": "{total} ({due} to pay)",
}
_PAST_DUE: dict[Locale, str] = {
    "pt-BR": "\nO que já venceu pode ser pago agora, para evitar novos avisos.\n",
    "es": "\nLo ya vencido puede pagarse ahora, para evitar nuevos avisos.\n",
    "en": "\nWhat is already due can be paid now, to avoid further notices.\n",
}
# The SMS's last sentence, so that the customer can pay from the phone: the payment link, with no full stop after
# it (a phone may take one into the link it opens). `fit_sms` leaves it out whole when it does not fit.
_PAY_LINK_SMS: dict[Locale, str] = {
    "pt-BR": " Pague em {url}",
    "es": " Pague en {url}",
    "en": " Pay at {url}",
}


def _invoice_issued(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, InvoiceIssued)
    today = fmt.day_of(notification.occurred_at)
    ahead = [i for i in body.installments if (i.effective_due_date or i.due_date) >= today]
    headline = ahead[0] if ahead else body.installments[-1]  # the next to pay by, or the last, already due
    upcoming, past = _DUE_VERB[fmt.locale]
    return {
        "customer": body.customer_name,
        "number": body.invoice_number,
        "total": _total(body, fmt),
        "first_due": fmt.date(headline.effective_due_date or headline.due_date),  # the day to pay by
        "first_amount": fmt.money(headline.amount),
        "due_verb": upcoming if ahead else past,
        "past_due": _PAST_DUE[fmt.locale] if len(ahead) < len(body.installments) else "",
        "how_to_pay": how_to_pay([(body.invoice_number, body.payment_url, body.bank_slip)], fmt),
        "pay_link": _PAY_LINK_SMS[fmt.locale].format(url=body.payment_url) if _sms_safe(body.payment_url) else "",
        "schedule": "\n".join(
            _INSTALLMENT[fmt.locale].format(
                number=installment.number,
                amount=fmt.money(installment.amount),
                due=due_text(installment.due_date, installment.effective_due_date, fmt),
            )
            for installment in body.installments
        ),
    }


def _sms_safe(url: str | None) -> bool:
    """A link the SMS can carry as it is: the SMS is written in GSM-7, which would take the accent off `ação` in a
    path (a page not found) or in a host name (another site). The e-mail carries any link."""
    from ponte.messages.text import to_gsm  # noqa: PLC0415

    return url is not None and url.isascii() and to_gsm(url) == url


def _total(body: InvoiceIssued, fmt: Formatter) -> str:
    """The invoice's total, and what its installments leave to pay when that is less (part was paid at the sale):
    a customer told only "R$ 1.000,00" next to installments adding up to R$ 600,00 would think some were missing."""
    billed = sum(i.amount.amount for i in body.installments if i.amount.currency == body.total.currency)
    if 0 < billed < body.total.amount:
        due = Money(amount=billed, currency=body.total.currency)
        return _TO_PAY[fmt.locale].format(total=fmt.money(body.total), due=fmt.money(due))
    return fmt.money(body.total)


def _summary(body: InvoicesImported, locale: Locale) -> str:
    file = _file_name(body.file)
    others = [
        _count(number, nouns[locale], locale)
        # What needs doing (the rejected rows) before what needs nothing (the rows the file says were settled).
        for number, nouns in ((body.unchanged, _UNCHANGED), (body.rejected, _REJECTED), (body.settled, _SETTLED))
        if number
    ]
    said = _SUMMARY[locale]
    if body.imported:
        imported = said["imported"].format(imported=_count(body.imported, _IMPORTED[locale], locale), file=file)
        return ", ".join([imported, *others])
    if others:
        return f"{said['none'].format(file=file)}: {', '.join(others)}"
    return said["empty"].format(file=file)


def _invoices_imported(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, InvoicesImported)
    locale = fmt.locale
    return {
        "summary": _summary(body, locale),
        "see_report": _SEE_REPORT[locale] if body.rejected or body.warnings else "",
        "path": body.file,
        "format": _FORMATS[locale].get(body.file_format, body.file_format.upper()),
        "new": _number(body.imported - body.corrected, locale),
        "corrected": _number(body.corrected, locale),
        "unchanged": _number(body.unchanged, locale),
        "rejected_count": _number(body.rejected, locale),
        "settled": _SETTLED_LINE[locale].format(count=_number(body.settled, locale)) if body.settled else "",
        "accounts": _number(body.accounts_opened, locale),
        "cancelled": _number(body.cancelled, locale),
        "warnings": _number(body.warnings, locale),
        "opening": _OPENING[locale] if body.opening else "",
        "rows": _refused_rows(body, locale),
        "report": body.report,
        "when": fmt.moment(notification.occurred_at),
    }


# The rejected rows an upload's alert lists: where each is in the file (a CSV's line, a JSON list's item; an XML
# file is one document), what is wrong with it, and how many more the report has.
_ROWS_TITLE: dict[Locale, dict[str, str]] = {
    "pt-BR": {"csv": "Linhas rejeitadas:", "json": "Itens rejeitados:", "xml": "Por que foi rejeitado:"},
    "es": {"csv": "Líneas rechazadas:", "json": "Elementos rechazados:", "xml": "Por qué se rechazó:"},
    "en": {"csv": "Rejected lines:", "json": "Rejected items:", "xml": "Why it was rejected:"},
}
_WHERE: dict[Locale, dict[str, str]] = {
    "pt-BR": {"csv": "linha {line}: ", "json": "item {line}: "},
    "es": {"csv": "línea {line}: ", "json": "elemento {line}: "},
    "en": {"csv": "line {line}: ", "json": "item {line}: "},
}
_MORE: dict[Locale, str] = {
    "pt-BR": "- e mais {count} no relatório",
    "es": "- y {count} más en el informe",
    "en": "- and {count} more in the report",
}


def _refused_rows(body: InvoicesImported, locale: Locale) -> str:
    from ponte.messages.texts.rows import UNCODED, row_message  # noqa: PLC0415 - rows' texts import this module

    if not body.rows:
        return ""
    where = _WHERE[locale].get(body.file_format, "")
    lines = [_ROWS_TITLE[locale].get(body.file_format, _ROWS_TITLE[locale]["xml"])]
    for row in body.rows:
        said = UNCODED[locale][0] if row.code is None else row_message(row.code, row.facts, locale)
        lines.append(f"- {where.format(line=row.line)}{said}")  # a line's number, as an editor shows it
    if body.rejected > len(body.rows):
        lines.append(_MORE[locale].format(count=_number(body.rejected - len(body.rows), locale)))
    return "\n" + "\n".join(lines) + "\n"


_OPENING: dict[Locale, str] = {
    "pt-BR": "\nCarteira de abertura: nenhum cliente foi avisado; a régua começa hoje para o que já venceu.\n",
    "es": "\nCartera de apertura: no se avisó a ningún cliente; el cobro empieza hoy para lo ya vencido.\n",
    "en": "\nOpening book: no customer was told; the ladder starts today for what is already overdue.\n",
}


def _new_customer_invoice(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, NewCustomerInvoice)
    none = NOT_GIVEN[fmt.locale]
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
        "schedule": "\n".join(
            f"  {i.number}: {due_text(i.due_date, i.effective_due_date, fmt)}  {fmt.money(i.amount)}"
            for i in body.installments
        )
        or f"  {none}",
        "items": items or f"  {none}",
        "owner": fmt.person(notification.owner) or none,
        "source": body.source,
    }


# Why a file was set aside, by `UploadQuarantined.code`: what happened, and what to do about it. The facts are placed
# as the locale writes them: {line}, {size}, {limit}, {extension}, {format}, {columns}.
REFUSALS: dict[Locale, dict[QuarantineCode, tuple[str, str]]] = {
    "pt-BR": {
        "empty": ("o arquivo está vazio", "Confira se a exportação terminou e envie o arquivo de novo."),
        "too_big": (
            "o arquivo tem {size}, acima do limite de {limit}",
            "Divida o arquivo em partes menores e envie cada uma.",
        ),
        "xml_too_big": (
            "um arquivo XML pode ter até {limit}, e este tem {size}",
            "Envie os documentos em arquivos XML separados, um por documento.",
        ),
        "line_too_long": (
            "uma linha passa de {limit}: não é um arquivo CSV",
            "Exporte as faturas de novo em CSV e envie esse arquivo.",
        ),
        "unknown_extension": ("arquivos {extension} não são lidos", "Envie as faturas em .csv, .json ou .xml."),
        "extension_mismatch": (
            "o nome do arquivo termina em {extension}, mas o conteúdo é {format}",
            "Renomeie o arquivo com a extensão certa e envie de novo.",
        ),
        "utf16": ("o arquivo é {format} em UTF-16, que não é lido", "Salve o arquivo como UTF-8 e envie de novo."),
        "unknown_format": (
            "o conteúdo não é CSV, JSON, XML de NF-e nem XML UBL",
            "Exporte as faturas em um desses formatos e envie o arquivo.",
        ),
        "no_xml_root": (
            "o início do arquivo não tem um documento XML",
            "Confira se o arquivo é o XML do documento, sem nada antes dele, e envie de novo.",
        ),
        "unknown_xml": (
            "o XML não é uma NF-e, um evento de NF-e nem uma fatura UBL 2.1",
            "Envie o XML da NF-e ou a fatura UBL 2.1; outros XML não são lidos.",
        ),
        "not_nfe": ("o XML não é uma NF-e", "Envie o XML da NF-e como o sistema emissor o gerou."),
        "not_ubl": (
            "o XML não é uma fatura nem uma nota de crédito UBL 2.1",
            "Exporte o documento de novo em UBL 2.1 e envie o arquivo.",
        ),
        "xml_doctype": (
            "o XML tem uma declaração DOCTYPE, recusada por segurança",
            "Exporte o XML de novo sem DOCTYPE e envie o arquivo.",
        ),
        "xml_entities": (
            "o XML declara entidades, recusadas por segurança",
            "Exporte o XML de novo sem declarar entidades e envie o arquivo.",
        ),
        "xml_external": (
            "o XML aponta para recursos externos, recusados por segurança",
            "Exporte o XML de novo sem referências externas e envie o arquivo.",
        ),
        "xml_malformed": (
            "o XML está malformado na linha {line}",
            "O arquivo pode ter sido cortado ou editado à mão: exporte-o de novo e envie.",
        ),
        "xml_encoding": (
            "o XML declara uma codificação de caracteres que não pode ser lida",
            "Salve o arquivo em UTF-8 (ou exporte-o de novo do sistema emissor) e envie.",
        ),
        "csv_encoding": (
            "a linha {line} não está na codificação de texto do arquivo",
            "Salve o arquivo como CSV UTF-8 e envie de novo.",
        ),
        "csv_malformed": (
            "a linha {line} não pôde ser lida como CSV",
            "Confira as aspas dessa linha (um texto entre aspas precisa fechá-las) e envie o arquivo de novo.",
        ),
        "csv_no_separator": (
            "a primeira linha não tem separador (ponto e vírgula, vírgula ou tabulação)",
            "A primeira linha deve ser o cabeçalho, com os nomes das colunas: corrija e envie de novo.",
        ),
        "csv_missing_columns": (
            "o cabeçalho não tem {missing_columns}",
            "Dê a essas colunas um dos nomes aceitos, ou cadastre os nomes delas nas configurações de colunas do "
            "CSV, e envie o arquivo de novo.",
        ),
        "csv_ambiguous_columns": (
            "duas colunas do cabeçalho querem dizer {columns}",
            "Indique a certa nas configurações de colunas do CSV, ou renomeie a outra, e envie o arquivo de novo.",
        ),
        "json_shape": (
            "o JSON não é uma fatura nem uma lista de faturas",
            "Envie um objeto de fatura ou uma lista deles, como descreve o esquema de importação.",
        ),
        "json_trailing": ("há dados depois do fim do JSON", "Deixe um só objeto ou uma só lista no arquivo e envie."),
        "json_encoding": ("o JSON não está em UTF-8", "Salve o arquivo como UTF-8 e envie de novo."),
        "json_malformed": (
            "o JSON não é válido",
            "O arquivo pode ter sido cortado ou editado à mão: gere-o de novo e envie.",
        ),
        "not_recorded": (
            "o arquivo não pôde ser registrado até o fim",
            "Envie este relatório ao suporte; não envie o arquivo de novo antes da resposta.",
        ),
        "not_read": (
            "o arquivo não pôde ser lido",
            "Envie este relatório ao suporte, com o arquivo.",
        ),
    },
    "es": {
        "empty": ("el archivo está vacío", "Revise que la exportación haya terminado y envíe el archivo de nuevo."),
        "too_big": (
            "el archivo tiene {size}, por encima del límite de {limit}",
            "Divida el archivo en partes más pequeñas y envíe cada una.",
        ),
        "xml_too_big": (
            "un archivo XML puede tener hasta {limit}, y este tiene {size}",
            "Envíe los documentos en archivos XML separados, uno por documento.",
        ),
        "line_too_long": (
            "una línea supera {limit}: no es un archivo CSV",
            "Exporte las facturas de nuevo en CSV y envíe ese archivo.",
        ),
        "unknown_extension": ("los archivos {extension} no se leen", "Envíe las facturas en .csv, .json o .xml."),
        "extension_mismatch": (
            "el nombre del archivo termina en {extension}, pero su contenido es {format}",
            "Cambie la extensión del archivo por la correcta y envíelo de nuevo.",
        ),
        "utf16": (
            "el archivo es {format} en UTF-16, que no se lee",
            "Guarde el archivo como UTF-8 y envíelo de nuevo.",
        ),
        "unknown_format": (
            "el contenido no es CSV, JSON, XML de NF-e ni XML UBL",
            "Exporte las facturas en uno de esos formatos y envíe el archivo.",
        ),
        "no_xml_root": (
            "el comienzo del archivo no tiene un documento XML",
            "Revise que el archivo sea el XML del documento, sin nada antes, y envíelo de nuevo.",
        ),
        "unknown_xml": (
            "el XML no es una NF-e, un evento de NF-e ni una factura UBL 2.1",
            "Envíe el XML de la NF-e o la factura UBL 2.1; otros XML no se leen.",
        ),
        "not_nfe": ("el XML no es una NF-e", "Envíe el XML de la NF-e tal como lo generó el sistema emisor."),
        "not_ubl": (
            "el XML no es una factura ni una nota de crédito UBL 2.1",
            "Exporte el documento de nuevo en UBL 2.1 y envíe el archivo.",
        ),
        "xml_doctype": (
            "el XML tiene una declaración DOCTYPE, rechazada por seguridad",
            "Exporte el XML de nuevo sin DOCTYPE y envíe el archivo.",
        ),
        "xml_entities": (
            "el XML declara entidades, rechazadas por seguridad",
            "Exporte el XML de nuevo sin declarar entidades y envíe el archivo.",
        ),
        "xml_external": (
            "el XML apunta a recursos externos, rechazados por seguridad",
            "Exporte el XML de nuevo sin referencias externas y envíe el archivo.",
        ),
        "xml_malformed": (
            "el XML está mal formado en la línea {line}",
            "El archivo puede haberse cortado o editado a mano: expórtelo de nuevo y envíelo.",
        ),
        "xml_encoding": (
            "el XML declara una codificación de caracteres que no se puede leer",
            "Guarde el archivo en UTF-8 (o expórtelo de nuevo del sistema emisor) y envíelo.",
        ),
        "csv_encoding": (
            "la línea {line} no está en la codificación de texto del archivo",
            "Guarde el archivo como CSV UTF-8 y envíelo de nuevo.",
        ),
        "csv_malformed": (
            "la línea {line} no se pudo leer como CSV",
            "Revise las comillas de esa línea (un texto entre comillas debe cerrarlas) y envíe el archivo de nuevo.",
        ),
        "csv_no_separator": (
            "la primera línea no tiene separador (punto y coma, coma o tabulación)",
            "La primera línea debe ser el encabezado, con los nombres de las columnas: corríjala y envíe de nuevo.",
        ),
        "csv_missing_columns": (
            "el encabezado no tiene {missing_columns}",
            "Dé a esas columnas uno de los nombres aceptados, o registre sus nombres en la configuración de columnas "
            "del CSV, y envíe el archivo de nuevo.",
        ),
        "csv_ambiguous_columns": (
            "dos columnas del encabezado significan {columns}",
            "Indique la correcta en la configuración de columnas del CSV, o cambie el nombre de la otra, y envíe el "
            "archivo de nuevo.",
        ),
        "json_shape": (
            "el JSON no es una factura ni una lista de facturas",
            "Envíe un objeto de factura o una lista de ellos, como describe el esquema de importación.",
        ),
        "json_trailing": (
            "hay datos después del final del JSON",
            "Deje un solo objeto o una sola lista en el archivo y envíelo.",
        ),
        "json_encoding": ("el JSON no está en UTF-8", "Guarde el archivo como UTF-8 y envíelo de nuevo."),
        "json_malformed": (
            "el JSON no es válido",
            "El archivo puede haberse cortado o editado a mano: genérelo de nuevo y envíelo.",
        ),
        "not_recorded": (
            "el archivo no se pudo registrar hasta el final",
            "Envíe este informe a soporte; no envíe el archivo de nuevo antes de la respuesta.",
        ),
        "not_read": (
            "el archivo no se pudo leer",
            "Envíe este informe a soporte, con el archivo.",
        ),
    },
    "en": {
        "empty": ("the file is empty", "Check that the export finished and upload the file again."),
        "too_big": (
            "the file is {size}, over the limit of {limit}",
            "Split the file into smaller ones and upload each.",
        ),
        "xml_too_big": (
            "an XML file may be at most {limit}, and this one is {size}",
            "Upload the documents as separate XML files, one per document.",
        ),
        "line_too_long": (
            "a line is longer than {limit}: this is not a CSV file",
            "Export the invoices again as CSV and upload that file.",
        ),
        "unknown_extension": ("{extension} files are not read", "Upload the invoices as .csv, .json or .xml."),
        "extension_mismatch": (
            "the file's name ends in {extension} but its content is {format}",
            "Rename the file with the right extension and upload it again.",
        ),
        "utf16": ("the file is {format} in UTF-16, which is not read", "Save the file as UTF-8 and upload it again."),
        "unknown_format": (
            "the content is not CSV, JSON, NF-e XML or UBL XML",
            "Export the invoices in one of those formats and upload that file.",
        ),
        "no_xml_root": (
            "the start of the file holds no XML document",
            "Check that the file is the document's XML, with nothing before it, and upload it again.",
        ),
        "unknown_xml": (
            "the XML is neither an NF-e, an NF-e event nor a UBL 2.1 invoice",
            "Upload the NF-e XML or the UBL 2.1 invoice; other XML is not read.",
        ),
        "not_nfe": ("the XML is not an NF-e", "Upload the NF-e XML as the issuing system produced it."),
        "not_ubl": (
            "the XML is not a UBL 2.1 invoice or credit note",
            "Export the document again as UBL 2.1 and upload that file.",
        ),
        "xml_doctype": (
            "the XML has a DOCTYPE declaration, refused for safety",
            "Export the XML again without a DOCTYPE and upload that file.",
        ),
        "xml_entities": (
            "the XML declares entities, refused for safety",
            "Export the XML again without entity declarations and upload that file.",
        ),
        "xml_external": (
            "the XML refers to external resources, refused for safety",
            "Export the XML again without external references and upload that file.",
        ),
        "xml_malformed": (
            "the XML is not well-formed at line {line}",
            "The file may have been cut short or edited by hand: export it again and upload it.",
        ),
        "xml_encoding": (
            "the XML declares a character encoding that cannot be read",
            "Save the file as UTF-8 (or export it again from the issuing system) and upload it.",
        ),
        "csv_encoding": (
            "line {line} is not in the file's text encoding",
            "Save the file as CSV UTF-8 and upload it again.",
        ),
        "csv_malformed": (
            "line {line} could not be read as CSV",
            "Check the quotes on that line (quoted text must close them) and upload the file again.",
        ),
        "csv_no_separator": (
            "the first line has no separator (semicolon, comma or tab)",
            "The first line must be the header, with the column names: fix it and upload the file again.",
        ),
        "csv_missing_columns": (
            "the header has no {missing_columns}",
            "Give those columns one of the accepted names, or add their names to the CSV column settings, and "
            "upload the file again.",
        ),
        "csv_ambiguous_columns": (
            "two columns of the header both mean {columns}",
            "Name the right one in the CSV column settings, or rename the other, and upload the file again.",
        ),
        "json_shape": (
            "the JSON is neither an invoice nor a list of invoices",
            "Upload one invoice object or a list of them, as the upload schema describes.",
        ),
        "json_trailing": (
            "there is data after the end of the JSON",
            "Keep a single object or a single list in the file and upload it again.",
        ),
        "json_encoding": ("the JSON is not in UTF-8", "Save the file as UTF-8 and upload it again."),
        "json_malformed": (
            "the JSON is not valid",
            "The file may have been cut short or edited by hand: produce it again and upload it.",
        ),
        "not_recorded": (
            "the file could not be recorded to the end",
            "Send this report to support; do not upload the file again before they answer.",
        ),
        "not_read": (
            "the file could not be read",
            "Send this report to support, with the file.",
        ),
    },
}
# A body from before codes: its reason is the English one of the report.
_UNREAD: dict[Locale, tuple[str, str]] = {
    "pt-BR": ("o arquivo não pôde ser lido; o relatório diz por quê", "Corrija o arquivo e envie de novo."),
    "es": ("el archivo no se pudo leer; el informe dice por qué", "Corrija el archivo y envíelo de nuevo."),
    "en": ("the file could not be read; the report says why", "Fix the file and upload it again."),
}
_NOTHING_RECORDED: dict[Locale, str] = {
    "pt-BR": "Nada foi registrado.",
    "es": "No se registró nada.",
    "en": "Nothing was recorded.",
}
_SOME_RECORDED: dict[Locale, str] = {
    "pt-BR": "As faturas lidas antes da falha podem ter sido registradas.",
    "es": "Las facturas leídas antes de la falla pueden haberse registrado.",
    "en": "Invoices read before the failure may have been recorded.",
}
_FORMATS: dict[Locale, dict[str, str]] = {
    "pt-BR": {"csv": "CSV", "json": "JSON", "nfe": "XML de NF-e", "ubl": "XML UBL"},
    "es": {"csv": "CSV", "json": "JSON", "nfe": "XML de NF-e", "ubl": "XML UBL"},
    "en": {"csv": "CSV", "json": "JSON", "nfe": "NF-e XML", "ubl": "UBL XML"},
}
# The CSV fields (`ponte.invoices.options.CsvField`) as the upload format's documentation names them, and
# `customer`, which any of three columns gives.
CSV_COLUMNS: dict[Locale, dict[str, str]] = {
    "pt-BR": {
        "number": "número",
        "series": "série",
        "installment": "parcela",
        "customer_name": "nome do cliente",
        "tax_id": "CNPJ/CPF",
        "email": "e-mail",
        "phone": "telefone",
        "mobile": "celular",
        "locale": "idioma",
        "customer_reference": "código do cliente",
        "amount": "valor",
        "due_date": "vencimento",
        "issue_date": "emissão",
        "currency": "moeda",
        "owner": "responsável",
        "status": "situação",
        "settled_on": "data de liquidação",
        "cancelled_on": "data de cancelamento",
        "amount_paid": "valor recebido",
        "payment_url": "página de pagamento",
        "bank_slip": "boleto",
        "access_key": "chave de acesso",
        "customer": "cliente (nome, CNPJ/CPF ou código)",
    },
    "es": {
        "number": "número",
        "series": "serie",
        "installment": "cuota",
        "customer_name": "nombre del cliente",
        "tax_id": "identificación fiscal",
        "email": "correo electrónico",
        "phone": "teléfono",
        "mobile": "móvil",
        "locale": "idioma",
        "customer_reference": "código de cliente",
        "amount": "importe",
        "due_date": "vencimiento",
        "issue_date": "fecha de emisión",
        "currency": "moneda",
        "owner": "responsable",
        "status": "estado",
        "settled_on": "fecha de liquidación",
        "cancelled_on": "fecha de cancelación",
        "amount_paid": "importe pagado",
        "payment_url": "enlace de pago",
        "bank_slip": "boleto",
        "access_key": "clave de acceso",
        "customer": "cliente (nombre, identificación fiscal o código)",
    },
    "en": {
        "number": "number",
        "series": "series",
        "installment": "installment",
        "customer_name": "customer name",
        "tax_id": "tax id",
        "email": "e-mail",
        "phone": "phone",
        "mobile": "mobile",
        "locale": "language",
        "customer_reference": "customer reference",
        "amount": "amount",
        "due_date": "due date",
        "issue_date": "issue date",
        "currency": "currency",
        "owner": "owner",
        "status": "status",
        "settled_on": "settled on",
        "cancelled_on": "cancelled on",
        "amount_paid": "amount paid",
        "payment_url": "payment link",
        "bank_slip": "boleto",
        "access_key": "access key",
        "customer": "customer (name, tax id or reference)",
    },
}


def _shown_facts(facts: dict[str, str], locale: Locale) -> dict[str, str]:
    """A refusal's facts as the locale writes them: `12,0 MB`, `número, valor e vencimento`; a line number as an
    editor shows it (`1234`), as the alert's list of rows writes it."""
    from babel.lists import format_list  # noqa: PLC0415 - Babel's data loads only when a message is rendered
    from babel.numbers import format_decimal  # noqa: PLC0415

    cldr = locale.replace("-", "_")
    shown = {}
    if facts.get("line", "").isdigit():
        shown["line"] = str(int(facts["line"]))
    for name in ("size", "limit"):
        if facts.get(name, "").isdigit():
            shown[name] = f"{format_decimal(int(facts[name]) / 1_000_000, format='#,##0.0', locale=cldr)} MB"
    if "extension" in facts:
        shown["extension"] = facts["extension"]
    if "format" in facts:
        shown["format"] = _FORMATS[locale].get(facts["format"], facts["format"].upper())
    if facts.get("columns"):
        names = CSV_COLUMNS[locale]
        columns = facts["columns"].split(",")
        shown["columns"] = str(format_list([names.get(c, c) for c in columns], locale=cldr))
        shown["missing_columns"] = _MISSING_COLUMNS[locale][len(columns) > 1].format(columns=shown["columns"])
    return shown


# Placeholders a sentence fills from another fact: the columns a header lacks, from `columns`.
DERIVED_FACTS: dict[str, str] = {"missing_columns": "columns"}
# The columns a header lacks, one or several: "a coluna de vencimento", "as colunas de vencimento e cliente".
_MISSING_COLUMNS: dict[Locale, tuple[str, str]] = {
    "pt-BR": ("a coluna de {columns}", "as colunas de {columns}"),
    "es": ("la columna de {columns}", "las columnas de {columns}"),
    "en": ("column for {columns}", "columns for {columns}"),
}


def refusal(code: QuarantineCode | None, facts: dict[str, str], locale: Locale) -> tuple[str, str]:
    """Why a file was set aside and what to do, in `locale`; the general sentence when the code (a body from before
    codes) or a fact its sentence needs is missing."""
    if code is None:
        return _UNREAD[locale]
    reason, advice = REFUSALS[locale][code]
    try:
        return reason.format_map(_shown_facts(facts, locale)), advice
    except KeyError:
        return _UNREAD[locale]


def _upload_quarantined(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, UploadQuarantined)
    reason, advice = refusal(body.code, body.facts, fmt.locale)
    recorded = _SOME_RECORDED if body.code == "not_recorded" else _NOTHING_RECORDED
    return {
        "file": _file_name(body.file),
        "path": body.file,
        "reason": reason,
        "advice": advice,
        "recorded": recorded[fmt.locale],
        "report": body.report,
        "when": fmt.moment(notification.occurred_at),
    }


ENTRIES: dict[str, Entry] = {
    "invoice.issued": Entry(
        _invoice_issued,
        {
            "pt-BR": Texts(
                subject="Fatura {number}: {first_amount} {due_verb} {first_due}",
                email=(
                    "Olá, {customer}.\n\nEmitimos a fatura {number}, no valor de {total}.\n\n"
                    "Vencimentos:\n{schedule}\n\n{how_to_pay}"
                    "Cada parcela pode ser paga até o fim do dia do vencimento.\n{past_due}"
                ),
                sms="Fatura {number}: {first_amount} {due_verb} {first_due}. Total {total}.{pay_link}",
            ),
            "es": Texts(
                subject="Factura {number}: {first_amount} {due_verb} {first_due}",
                email=(
                    "Hola, {customer}.\n\nEmitimos la factura {number}, por un importe de {total}.\n\n"
                    "Vencimientos:\n{schedule}\n\n{how_to_pay}"
                    "Cada cuota puede pagarse hasta el final del día de su vencimiento.\n{past_due}"
                ),
                sms="Factura {number}: {first_amount} {due_verb} {first_due}. Total {total}.{pay_link}",
            ),
            "en": Texts(
                subject="Invoice {number}: {first_amount} {due_verb} {first_due}",
                email=(
                    "Hello, {customer}.\n\nWe have issued invoice {number} for {total}.\n\n"
                    "Due dates:\n{schedule}\n\n{how_to_pay}"
                    "Each installment can be paid until the end of its due date.\n{past_due}"
                ),
                sms="Invoice {number}: {first_amount} {due_verb} {first_due}. Total {total}.{pay_link}",
            ),
        },
    ),
    "invoices.imported": Entry(
        _invoices_imported,
        {
            "pt-BR": Texts(
                subject="{summary}",
                email=(
                    "{summary}{see_report}.\n\n"
                    "Arquivo: {path} ({format}), recebido em {when}\n"
                    "Novas: {new}\nCorrigidas: {corrected}\nJá registradas, sem mudança: {unchanged}\n"
                    "Rejeitadas: {rejected_count}\n{settled}"
                    "Contas abertas: {accounts}\nNF-e canceladas: {cancelled}\n"
                    "Avisos a conferir: {warnings}\n{rows}{opening}\nRelatório: {report}\n"
                ),
                sms="Ponte: {summary}{see_report}.",
            ),
            "es": Texts(
                subject="{summary}",
                email=(
                    "{summary}{see_report}.\n\n"
                    "Archivo: {path} ({format}), recibido el {when}\n"
                    "Nuevas: {new}\nCorregidas: {corrected}\nYa registradas, sin cambios: {unchanged}\n"
                    "Rechazadas: {rejected_count}\n{settled}"
                    "Cuentas abiertas: {accounts}\nNF-e canceladas: {cancelled}\n"
                    "Avisos por revisar: {warnings}\n{rows}{opening}\nInforme: {report}\n"
                ),
                sms="Ponte: {summary}{see_report}.",
            ),
            "en": Texts(
                subject="{summary}",
                email=(
                    "{summary}{see_report}.\n\n"
                    "File: {path} ({format}), received on {when}\n"
                    "New: {new}\nCorrected: {corrected}\nAlready recorded, unchanged: {unchanged}\n"
                    "Rejected: {rejected_count}\n{settled}"
                    "Accounts opened: {accounts}\nNF-e cancelled: {cancelled}\n"
                    "Warnings to check: {warnings}\n{rows}{opening}\nReport: {report}\n"
                ),
                sms="Ponte: {summary}{see_report}.",
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
                    "O arquivo {path}, recebido em {when}, não foi importado: {reason}.\n\n{advice}\n\n"
                    "{recorded} O arquivo foi movido para a quarentena.\nRelatório: {report}\n"
                ),
                sms="Ponte: arquivo {file} nao importado: {reason}.",
            ),
            "es": Texts(
                subject="Archivo {file} no importado",
                email=(
                    "El archivo {path}, recibido el {when}, no se importó: {reason}.\n\n{advice}\n\n"
                    "{recorded} El archivo se movió a cuarentena.\nInforme: {report}\n"
                ),
                sms="Ponte: archivo {file} no importado: {reason}.",
            ),
            "en": Texts(
                subject="File {file} not imported",
                email=(
                    "The file {path}, received on {when}, was not imported: {reason}.\n\n{advice}\n\n"
                    "{recorded} The file was moved to quarantine.\nReport: {report}\n"
                ),
                sms="Ponte: file {file} not imported: {reason}.",
            ),
        },
    ),
}
