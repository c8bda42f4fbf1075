"""Brazilian NF-e / NFC-e XML (layouts 4.00 and 3.10): `nfeProc` as distributed, or a bare `NFe`.

Field references are to the Manual de Orientação do Contribuinte (MOC) 4.00, annex I. What is owed comes from the
billing group `cobr/dup` (nDup, dVenc, vDup): each duplicata is an installment. Without `cobr/dup` the whole vNF is
due on the issue date plus `ParseOptions.default_term_days`. The payment group `pag/detPag/tPag` is not used: real
documents carry "90 no payment" beside duplicatas, so it does not say whether there is a receivable.

The sum of vDup may differ from vNF (part paid at the sale, or a fatura net of discounts); the installments are
what is collected and vNF stays the document total. Due dates before the issue date are kept as written.

Refused, each with its reason:
- no recipient (`dest`), as on an NFC-e sold to an unidentified consumer: there is no one to collect from;
- an inbound document (tpNF 0, entrada): the issuer is the buyer, nothing is owed to them;
- not authorised: an NF-e has legal validity only once SEFAZ authorises its use (cStat 100, or 150 when
  authorised late). A protocol with another status is always refused; a missing protocol, or a document from the
  SEFAZ test environment (tpAmb 2, "sem valor fiscal"), only unless `accept_unauthorised_nfe` is set.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import BinaryIO
from xml.etree.ElementTree import Element

from pydantic import ValidationError

from ponte.domain.errors import InvalidInput
from ponte.domain.invoices import Installment, Invoice, InvoiceKind, Party, SourceFormat, invoice_key
from ponte.domain.money import Money
from ponte.invoices.detect import NFE_NAMESPACE
from ponte.invoices.options import ParseOptions
from ponte.invoices.results import FileRejected, ParsedInvoice, ParseResult, Rejection, reason_from
from ponte.invoices.safexml import parse_xml, text

_NS = {"nfe": NFE_NAMESPACE}
_LAYOUTS = frozenset({"3.10", "4.00"})
_AUTHORISED = frozenset({"100", "150"})
_ACCESS_KEY = re.compile(r"^(?:NFe)?(\d{44})$", re.ASCII)
# CNPJ: 14 characters, the first 12 alphanumeric since IN RFB 2.229/2024; CPF: 11 digits.
_CNPJ = re.compile(r"^[0-9A-Z]{12}\d{2}$", re.ASCII)
_CPF = re.compile(r"^\d{11}$", re.ASCII)
_EMAIL_SEPARATORS = re.compile(r"[;,\s]+")
_CURRENCY = "BRL"  # NF-e values are always in reais; the layout has no currency field


def parse(stream: BinaryIO, *, options: ParseOptions) -> Iterator[ParseResult]:
    root = parse_xml(stream)
    if root.tag == f"{{{NFE_NAMESPACE}}}nfeProc":
        nfe, protocol = root.find("nfe:NFe", _NS), root.find("nfe:protNFe/nfe:infProt", _NS)
    elif root.tag == f"{{{NFE_NAMESPACE}}}NFe":
        nfe, protocol = root, None
    else:
        raise FileRejected(f"not an NF-e: the root element is {root.tag}")
    info = None if nfe is None else nfe.find("nfe:infNFe", _NS)
    if info is None:
        yield Rejection(1, "no infNFe: this is not an NF-e document")
        return
    try:
        yield ParsedInvoice(1, _invoice(info, protocol, options))
    except (InvalidInput, ValidationError) as exc:
        yield Rejection(1, reason_from(exc))


def _invoice(info: Element, protocol: Element | None, options: ParseOptions) -> Invoice:
    layout = info.get("versao")
    if layout not in _LAYOUTS:
        raise InvalidInput(f"NF-e layout {layout!r} is not read; expected 4.00 or 3.10")
    access_key = _access_key(info)
    if _required(info, "nfe:ide/nfe:tpNF") == "0":
        raise InvalidInput("an inbound NF-e (tpNF 0, entrada) is a purchase: nothing is owed to the issuer")
    customer = _customer(info)
    _check_authorised(info, protocol, access_key, options)
    issue_date = _issue_date(info)
    total = Money.from_decimal(_required(info, "nfe:total/nfe:ICMSTot/nfe:vNF"), _CURRENCY)
    installments = _installments(info, issue_date + timedelta(days=options.default_term_days), total)
    return Invoice(
        key=invoice_key("nfe", access_key),
        number=_required(info, "nfe:ide/nfe:nNF"),
        series=_required(info, "nfe:ide/nfe:serie"),
        kind=InvoiceKind.INVOICE,
        issue_date=issue_date,
        currency=_CURRENCY,
        total=total,
        installments=installments,
        customer=customer,
        issuer=Party(
            name=text(info, "nfe:emit/nfe:xNome", _NS),
            tax_id=text(info, "nfe:emit/nfe:CNPJ", _NS) or text(info, "nfe:emit/nfe:CPF", _NS),
        ),
        source=SourceFormat.NFE,
    )


def _required(info: Element, path: str) -> str:
    value = text(info, path, _NS)
    if value is None:
        raise InvalidInput(f"the NF-e has no {path.replace('nfe:', '')}")
    return value


def _access_key(info: Element) -> str:
    # infNFe/@Id is "NFe" followed by the 44-digit chave de acesso (MOC 4.00, A03); some exports drop the prefix.
    match = _ACCESS_KEY.match(info.get("Id", ""))
    if match is None:
        raise InvalidInput(f"infNFe Id {info.get('Id')!r} is not an NF-e access key (44 digits)")
    return match.group(1)


def _customer(info: Element) -> Party:
    dest = info.find("nfe:dest", _NS)
    if dest is None:
        raise InvalidInput("no customer to collect from: the NF-e has no recipient (dest), as on a consumer NFC-e")
    cnpj, cpf = text(dest, "nfe:CNPJ", _NS), text(dest, "nfe:CPF", _NS)
    if cnpj is not None and not _CNPJ.match(cnpj):
        raise InvalidInput(f"recipient CNPJ {cnpj!r} is not 14 characters")
    if cpf is not None and not _CPF.match(cpf):
        raise InvalidInput(f"recipient CPF {cpf!r} is not 11 digits")
    # A foreign buyer's idEstrangeiro is free text, often a placeholder such as "EXTERIOR": not a tax id.
    emails = _EMAIL_SEPARATORS.split(text(dest, "nfe:email", _NS) or "")
    return Party(name=text(dest, "nfe:xNome", _NS), tax_id=cnpj or cpf, email=emails[0] or None)


def _check_authorised(info: Element, protocol: Element | None, access_key: str, options: ParseOptions) -> None:
    if protocol is not None:
        status = text(protocol, "nfe:cStat", _NS)
        if status not in _AUTHORISED:
            reason = text(protocol, "nfe:xMotivo", _NS) or "no reason given"
            raise InvalidInput(f"the NF-e was not authorised by SEFAZ: cStat {status} ({reason})")
        if text(protocol, "nfe:chNFe", _NS) != access_key:
            raise InvalidInput("the authorisation protocol belongs to another NF-e (chNFe differs)")
    if options.accept_unauthorised_nfe:
        return
    if protocol is None:
        raise InvalidInput("the NF-e has no authorisation protocol (protNFe), so it has no legal validity")
    if text(info, "nfe:ide/nfe:tpAmb", _NS) == "2":
        raise InvalidInput("the NF-e comes from the SEFAZ test environment (tpAmb 2) and has no fiscal value")


def _issue_date(info: Element) -> date:
    # dhEmi (3.10 and 4.00) is the local date and time with the issuer's UTC offset: its date part is the local
    # issue date. dEmi is the date-only field of earlier layouts.
    moment = text(info, "nfe:ide/nfe:dhEmi", _NS)
    try:
        if moment is not None:
            return datetime.fromisoformat(moment).date()
        return date.fromisoformat(_required(info, "nfe:ide/nfe:dEmi"))
    except ValueError as exc:
        raise InvalidInput(f"the NF-e issue date is not a date: {exc}") from exc


def _installments(info: Element, default_due: date, total: Money) -> tuple[Installment, ...]:
    duplicatas = info.findall("nfe:cobr/nfe:dup", _NS)
    if not duplicatas:
        return (Installment(number="1", due_date=default_due, amount=total),) if total.amount > 0 else ()
    installments = []
    for position, dup in enumerate(duplicatas, 1):
        due = text(dup, "nfe:dVenc", _NS)
        try:
            due_date = date.fromisoformat(due) if due else default_due
        except ValueError as exc:
            raise InvalidInput(f"duplicata {position}: dVenc {due!r} is not a date") from exc
        installments.append(
            Installment(
                number=text(dup, "nfe:nDup", _NS) or str(position),
                due_date=due_date,
                amount=Money.from_decimal(_required(dup, "nfe:vDup"), _CURRENCY),
            )
        )
    return tuple(installments)
