"""Brazilian NF-e / NFC-e XML (layouts 4.00 and 3.10): `nfeProc` as distributed, a bare `NFe`, or a cancellation
event (`procEventoNFe`).

Field references are to the Manual de Orientação do Contribuinte (MOC) 4.00, annex I. Each invoice carries its
access key (chave de acesso, infNFe/@Id) and the first `MAX_ITEMS` lines of what was sold (det/prod: xProd, qCom,
vProd).

The customer is the recipient (dest): CNPJ or CPF, xNome, the first e-mail of `email` (issuers list several), and
the phone `enderDest/fone` (E17: digits, the area code and the number; for a recipient abroad, UF EX, the country
code first). An e-mail or phone that cannot be read is left out with a warning; the NF-e is still read.

What is owed:
- the billing group `cobr/dup` (nDup, dVenc, vDup): each duplicata is an installment. It is the issuer's own
  statement of what is collected, so it wins over the payment group (real documents carry "90 no payment" beside
  duplicatas), except when the payment group says the whole vNF was paid by card or voucher: a store's ERP writes
  the card company's payment of a card sale as a duplicata, and the customer owes nothing (with a warning). The
  sum of vDup may differ from vNF (part paid at the sale, or a fatura net of discounts); the installments are what
  is collected and vNF stays the document total. Due dates before the issue date are kept as written.
- without duplicatas, nothing is collected and the invoice says why in `not_collectable` when vNF is zero; when
  every payment (`pag/detPag`, or `pag` itself in layout 3.10) is tPag 90 "sem pagamento"; when what was paid at
  the sale covers vNF net of change (vTroco); or when every item's CFOP is an operation that is not a sale (free
  goods, samples, demonstration, repair, processing to order, consignment, loan for use, containers, and their
  returns: `_NOT_A_SALE`). Paid at the sale means cash, cheque, cards, vouchers, bank deposit, Pix, transfer or
  wallet, loyalty credit or an unreported electronic payment (`_PAID_AT_SALE`), unless that payment is flagged
  indPag 1 (a prazo) and is not one a card company or a voucher's issuer pays the business for (a card in
  installments, `_SETTLED_BY_OTHERS`); never boleto (15), duplicata mercantil (14), store credit (05, 21) or other
  (99).
- otherwise vNF, less what was paid at the sale, is due on the issue date plus `ParseOptions.default_term_days`.

A cancellation is an event tpEvento 110111 (or 110112, cancellation by substitution) that SEFAZ registered
(retEvento cStat 135, or 155 when registered after the deadline); it is yielded as a `ParsedCancellation`: access
key from chNFe, time from dhRegEvento (else dhEvento), reason from xJust. As a document of its own (`procEventoNFe`)
it is the only result, and another event type (a carta de correção, 110110) or an unregistered cancellation is
refused. Bundled inside an `nfeProc` (a `retEvento` or `procEventoNFe` beside protNFe, as some distributors deliver
a cancelled NF-e) it follows the invoice, even when the invoice itself is refused (it may have been recorded from an
earlier upload); one that names another NF-e or was not registered is not applied, and the invoice's warnings say
so. Other bundled events are ignored: they do not change what is owed.

Refused, each with its reason:
- no recipient (`dest`), as on an NFC-e sold to an unidentified consumer: there is no one to collect from. A
  recipient with a name but no CNPJ or CPF (a foreign buyer) is read, with a warning;
- an inbound document (tpNF 0, entrada): the issuer is the buyer, nothing is owed to them;
- not authorised: an NF-e has legal validity only once SEFAZ authorises its use (cStat 100, or 150 when
  authorised late). A protocol with another status is always refused; a missing protocol, or a document from the
  SEFAZ test environment (tpAmb 2, "sem valor fiscal"), only unless `accept_unauthorised_nfe` is set. The same
  holds for a cancellation event and its registration (retEvento).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO
from xml.etree.ElementTree import Element

from pydantic import ValidationError

from ponte.domain.errors import InvalidInput
from ponte.domain.invoices import Installment, Invoice, InvoiceKind, Item, Party, SourceFormat, invoice_key
from ponte.domain.money import Money
from ponte.invoices.detect import NFE_NAMESPACE
from ponte.invoices.options import ParseOptions
from ponte.invoices.results import (
    FileRejected,
    ParsedCancellation,
    ParsedInvoice,
    ParseResult,
    Problem,
    Rejection,
    RowRefused,
    days_after,
    problem,
    problem_from,
)
from ponte.invoices.safexml import parse_xml, text
from ponte.invoices.values import MAX_ITEMS, customer_party, issuer_party, line_item

_NS = {"nfe": NFE_NAMESPACE}
_LAYOUTS = frozenset({"3.10", "4.00"})
_AUTHORISED = frozenset({"100", "150"})
_ACCESS_KEY = re.compile(r"^(?:NFe)?(\d{44})$", re.ASCII)
_EVENT_KEY = re.compile(r"^\d{44}$", re.ASCII)
# CNPJ: 14 characters, the first 12 alphanumeric since IN RFB 2.229/2024; CPF: 11 digits.
_CNPJ = re.compile(r"^[0-9A-Z]{12}\d{2}$", re.ASCII)
_CPF = re.compile(r"^\d{11}$", re.ASCII)
_EMAIL_SEPARATORS = re.compile(r"[;,\s]+")
_ABROAD = "EX"  # enderDest/UF of a recipient abroad
_CURRENCY = "BRL"  # NF-e values are always in reais; the layout has no currency field
_TEST_ENVIRONMENT = "2"  # tpAmb 2, homologação

# Cancellation (110111), and cancellation by substitution (110112: an NFC-e replaced by another, NT 2018.004): either
# way the NF-e no longer exists as a sale.
_CANCELLATIONS = frozenset({"110111", "110112"})
# MOC 4.00, table of processing statuses: 135 "evento registrado e vinculado a NF-e"; 155 "cancelamento homologado
# fora de prazo", a cancellation registered after the deadline, which cancels all the same.
_EVENT_REGISTERED = frozenset({"135", "155"})

_NO_PAYMENT = "90"
_DEFERRED = "1"  # detPag/indPag 1: pagamento a prazo
# tPag codes (MOC 4.00 YA02, as amended by NT 2020.006 and NT 2023.004) whose money is received when the sale is
# made, so the customer owes nothing more for that part. Left out on purpose: 05 and 21 store credit and 14
# duplicata mercantil (the customer pays later), 15 boleto (not yet paid), 99 other (unknown).
_PAID_AT_SALE = {
    "01": "cash",
    "02": "cheque",
    "03": "credit card",
    "04": "debit card",
    "10": "food voucher",
    "11": "meal voucher",
    "12": "gift voucher",
    "13": "fuel voucher",
    "16": "bank deposit",
    "17": "Pix",
    "18": "bank transfer or digital wallet",
    "19": "loyalty programme or cashback",
    "20": "Pix",
    "22": "electronic payment",
}
# Of those, the means a third party pays the business for, whatever the customer's terms with it (indPag 1: a credit
# card in installments is the card company's to collect, not the business's). Not Pix: a Pix a prazo is one the
# customer scheduled, and has not paid yet.
_SETTLED_BY_OTHERS = frozenset({"03", "04", "10", "11", "12", "13"})
# Outbound CFOPs (5.xxx within the state, 6.xxx to another state) of group 5.900/6.900 "outras saídas" that move
# goods without selling them, by their last three digits; meanings from the CFOP table (Convênio s/nº de 1970,
# annex, as written by Ajuste SINIEF 07/01). 5.949 "outra saída não especificada" is left out: it can be anything,
# a miscoded sale included. A consignment (5.917) is billed later, when the consignee sells (CFOP 5.111 to 5.114).
_NOT_A_SALE = {
    "901": "sent for processing to order",  # remessa para industrialização por encomenda
    "902": "returned after processing to order",  # retorno de mercadoria utilizada na industrialização por encomenda
    "908": "loan for use",  # remessa de bem por conta de contrato de comodato
    "909": "returned loan for use",  # retorno de bem recebido por conta de contrato de comodato
    "910": "free goods",  # remessa em bonificação, doação ou brinde
    "911": "free sample",  # remessa de amostra grátis
    "912": "sent for demonstration",  # remessa de mercadoria ou bem para demonstração
    "913": "returned from demonstration",  # retorno de mercadoria ou bem recebido para demonstração
    "915": "sent for repair",  # remessa de mercadoria ou bem para conserto ou reparo
    "916": "returned from repair",  # retorno de mercadoria ou bem recebido para conserto ou reparo
    "917": "sent on consignment",  # remessa de mercadoria em consignação mercantil ou industrial
    "918": "consigned goods returned",  # devolução de mercadoria recebida em consignação mercantil ou industrial
    "920": "containers sent",  # remessa de vasilhame ou sacaria
    "921": "containers returned",  # devolução de vasilhame ou sacaria
}


def _tag(name: str) -> str:
    return f"{{{NFE_NAMESPACE}}}{name}"


def parse(stream: BinaryIO, *, options: ParseOptions) -> Iterator[ParseResult]:
    root = parse_xml(stream)
    if root.tag == _tag("procEventoNFe"):
        yield _event_document(root, options)
        return
    if root.tag == _tag("nfeProc"):
        nfe, protocol = root.find("nfe:NFe", _NS), root.find("nfe:protNFe/nfe:infProt", _NS)
        if protocol is not None and text(protocol, "nfe:cStat", _NS) is None:
            protocol = None  # an empty infProt, as a DANFE tool leaves for an NF-e not sent yet: no protocol at all
    elif root.tag == _tag("NFe"):
        nfe, protocol = root, None
    else:
        raise FileRejected(f"not an NF-e: the root element is {root.tag}", code="not_nfe")
    info = None if nfe is None else nfe.find("nfe:infNFe", _NS)
    if info is None:
        yield Rejection(1, problem("not_nfe", "no infNFe: this is not an NF-e document"))
        return
    key = _ACCESS_KEY.match(info.get("Id", ""))
    cancellations, notes = _bundled_cancellations(root, key.group(1) if key else None, options)
    try:
        invoice, warnings = _invoice(info, protocol, options)
        yield ParsedInvoice(1, invoice, items=_items(info), warnings=(*warnings, *notes))
    except (InvalidInput, ValidationError) as exc:
        yield Rejection(1, problem_from(exc))
    yield from cancellations


def _invoice(info: Element, protocol: Element | None, options: ParseOptions) -> tuple[Invoice, tuple[Problem, ...]]:
    """The invoice, and the warnings the report should give about it."""
    layout = info.get("versao")
    if layout not in _LAYOUTS:
        raise RowRefused(
            "nfe_layout", f"NF-e layout {layout!r} is not read; expected 4.00 or 3.10", value=_written(layout)
        )
    access_key = _access_key(info)
    if _required(info, "nfe:ide/nfe:tpNF") == "0":
        raise RowRefused(
            "nfe_inbound", "an inbound NF-e (tpNF 0, entrada) is a purchase: nothing is owed to the issuer"
        )
    customer, warnings = _customer(info)
    _check_authorised(info, protocol, access_key, options)
    issue_date = _issue_date(info)
    total = Money.from_decimal(_required(info, "nfe:total/nfe:ICMSTot/nfe:vNF"), _CURRENCY)
    installments, not_collectable = _receivable(info, days_after(issue_date, options.default_term_days), total)
    if not_collectable is not None and info.find("nfe:cobr/nfe:dup", _NS) is not None:
        said = f"the NF-e lists duplicatas but says it was {not_collectable}: nothing is collected from the customer"
        warnings = (*warnings, problem("nfe_duplicatas_paid", said))  # the duplicatas may be the card company's
    invoice = Invoice(
        key=invoice_key("nfe", access_key),
        number=_required(info, "nfe:ide/nfe:nNF"),
        series=_required(info, "nfe:ide/nfe:serie"),
        kind=InvoiceKind.INVOICE,
        issue_date=issue_date,
        currency=_CURRENCY,
        total=total,
        installments=installments,
        customer=customer,
        issuer=issuer_party(
            name=text(info, "nfe:emit/nfe:xNome", _NS),
            tax_id=text(info, "nfe:emit/nfe:CNPJ", _NS) or text(info, "nfe:emit/nfe:CPF", _NS),
        ),
        source=SourceFormat.NFE,
        access_key=access_key,
        not_collectable=not_collectable,
    )
    return invoice, warnings


def _written(attribute: str | None) -> str | None:
    """An attribute's value as the file writes it, stripped; None when absent or blank."""
    return (attribute or "").strip() or None


def _required(info: Element, path: str) -> str:
    value = text(info, path, _NS)
    if value is None:
        element = path.replace("nfe:", "")
        raise RowRefused("nfe_missing", f"the NF-e has no {element}", element=element)
    return value


def _access_key(info: Element) -> str:
    # infNFe/@Id is "NFe" followed by the 44-digit chave de acesso (MOC 4.00, A03); some exports drop the prefix.
    match = _ACCESS_KEY.match(info.get("Id", ""))
    if match is None:
        written = info.get("Id")
        raise RowRefused(
            "nfe_key", f"infNFe Id {written!r} is not an NF-e access key (44 digits)", value=_written(written)
        )
    return match.group(1)


def _customer(info: Element) -> tuple[Party, tuple[Problem, ...]]:
    dest = info.find("nfe:dest", _NS)
    if dest is None:
        raise RowRefused(
            "nfe_no_recipient",
            "no customer to collect from: the NF-e has no recipient (dest), as on a consumer NFC-e",
        )
    cnpj, cpf = text(dest, "nfe:CNPJ", _NS), text(dest, "nfe:CPF", _NS)
    if cnpj is not None and not _CNPJ.match(cnpj):
        raise RowRefused("nfe_cnpj", f"recipient CNPJ {cnpj!r} is not 14 characters", value=cnpj)
    if cpf is not None and not _CPF.match(cpf):
        raise RowRefused("nfe_cpf", f"recipient CPF {cpf!r} is not 11 digits", value=cpf)
    # A foreign buyer's idEstrangeiro is free text, often a placeholder such as "EXTERIOR": not a tax id.
    emails = _EMAIL_SEPARATORS.split(text(dest, "nfe:email", _NS) or "")
    phone = text(dest, "nfe:enderDest/nfe:fone", _NS)
    if phone and text(dest, "nfe:enderDest/nfe:UF", _NS) == _ABROAD:
        phone = f"+{phone.lstrip(' (+')}"  # the issuer writes a buyer abroad's number with its country code first
    return customer_party(
        name=text(dest, "nfe:xNome", _NS),
        tax_id=cnpj or cpf,
        email=next((email for email in emails if email.strip()), None),
        phones=(("phone", phone),),
        country="BR",
    )


def _check_authorised(info: Element, protocol: Element | None, access_key: str, options: ParseOptions) -> None:
    if protocol is not None:
        status = text(protocol, "nfe:cStat", _NS)
        if status not in _AUTHORISED:
            reason = text(protocol, "nfe:xMotivo", _NS) or "no reason given"
            raise RowRefused(
                "nfe_not_authorised", f"the NF-e was not authorised by SEFAZ: cStat {status} ({reason})", status=status
            )
        if text(protocol, "nfe:chNFe", _NS) != access_key:
            raise RowRefused("nfe_protocol_other", "the authorisation protocol belongs to another NF-e (chNFe differs)")
    if options.accept_unauthorised_nfe:
        return
    if protocol is None:
        raise RowRefused(
            "nfe_no_protocol", "the NF-e has no authorisation protocol (protNFe), so it has no legal validity"
        )
    if text(info, "nfe:ide/nfe:tpAmb", _NS) == _TEST_ENVIRONMENT:
        raise RowRefused("nfe_test", "the NF-e comes from the SEFAZ test environment (tpAmb 2) and has no fiscal value")


def _issue_date(info: Element) -> date:
    # dhEmi (3.10 and 4.00) is the local date and time with the issuer's UTC offset: its date part is the local
    # issue date. dEmi is the date-only field of earlier layouts.
    moment = text(info, "nfe:ide/nfe:dhEmi", _NS)
    try:
        if moment is not None:
            return datetime.fromisoformat(moment).date()
        return date.fromisoformat(_required(info, "nfe:ide/nfe:dEmi"))
    except ValueError as exc:
        raise RowRefused("nfe_issue_date", f"the NF-e issue date is not a date: {exc}") from exc


def _items(info: Element) -> tuple[Item, ...]:
    items = []
    for det in info.findall("nfe:det", _NS)[:MAX_ITEMS]:
        value = text(det, "nfe:prod/nfe:vProd", _NS)
        try:
            amount = Money.from_decimal(value, _CURRENCY) if value else None
        except InvalidInput:
            amount = None  # an item is for the people who deliver: a bad line value does not refuse the invoice
        item = line_item(text(det, "nfe:prod/nfe:xProd", _NS), text(det, "nfe:prod/nfe:qCom", _NS), amount)
        if item is not None:
            items.append(item)
    return tuple(items)


def _receivable(info: Element, default_due: date, total: Money) -> tuple[tuple[Installment, ...], str | None]:
    """The installments to collect, or none and the reason why nothing is collected."""
    payments, change = _payments(info)
    at_sale = [p for p in payments if p.means in _PAID_AT_SALE and (not p.deferred or p.means in _SETTLED_BY_OTHERS)]
    paid = sum(p.amount for p in at_sale) - change
    if info.find("nfe:cobr/nfe:dup", _NS) is not None:
        # Duplicatas win, unless the payment group says the whole was paid by card or voucher, whose company pays
        # the business (a store's ERP writes that payment as a duplicata: a published production NF-e of a phone
        # bought by credit card, tPag 03 for vNF, one dup due a month later). Cash or Pix beside duplicatas, even
        # flagged à vista (some emitters write that whatever the sale), may be how the duplicatas are paid.
        sure = [p for p in at_sale if p.means in _SETTLED_BY_OTHERS]
        if sure and sum(p.amount for p in sure) - change >= total.amount > 0:
            return (), _paid_at_sale(sure)
        return _duplicatas(info, default_due), None
    if (reason := _nothing_owed(info, payments, at_sale, paid, total)) is not None:
        return (), reason
    due = Money(amount=total.amount - max(paid, 0), currency=_CURRENCY)
    return (Installment(number="1", due_date=default_due, amount=due),), None


def _nothing_owed(
    info: Element, payments: list[_Payment], at_sale: list[_Payment], paid: int, total: Money
) -> str | None:
    """Why an NF-e without duplicatas is owed nothing, or None when vNF less what was paid at the sale is owed."""
    if total.amount == 0:
        return "zero total"
    if payments and all(payment.means == _NO_PAYMENT for payment in payments):
        return f"no payment (tPag {_NO_PAYMENT})"
    if at_sale and paid >= total.amount:
        return _paid_at_sale(at_sale)
    return _not_a_sale(info)


def _paid_at_sale(payments: list[_Payment]) -> str:
    """Why nothing is collected of a sale these payments made whole."""
    return f"paid at the sale: {', '.join(dict.fromkeys(_PAID_AT_SALE[p.means] for p in payments))}"


@dataclass(frozen=True, slots=True)
class _Payment:
    means: str  # tPag
    amount: int  # vPag in centavos
    deferred: bool  # indPag 1, a prazo


def _payments(info: Element) -> tuple[list[_Payment], int]:
    """The payments the NF-e lists and the change given back (vTroco), in centavos."""
    payments, change = [], 0
    for group in info.findall("nfe:pag", _NS):
        # Layout 4.00 lists detPag inside one pag; layout 3.10 repeats pag with tPag and vPag directly in it.
        for detail in group.findall("nfe:detPag", _NS) or [group]:
            means = text(detail, "nfe:tPag", _NS)
            if means is None:
                continue
            paid = text(detail, "nfe:vPag", _NS)  # may be left out with tPag 90 (MOC 4.00, YA03)
            payments.append(
                _Payment(
                    means=means,
                    amount=Money.from_decimal(paid, _CURRENCY).amount if paid else 0,
                    deferred=text(detail, "nfe:indPag", _NS) == _DEFERRED,
                )
            )
        if (given_back := text(group, "nfe:vTroco", _NS)) is not None:
            change += Money.from_decimal(given_back, _CURRENCY).amount
    return payments, change


def _not_a_sale(info: Element) -> str | None:
    cfops = [text(det, "nfe:prod/nfe:CFOP", _NS) or "" for det in info.findall("nfe:det", _NS)]
    meanings = {cfop: _NOT_A_SALE.get(cfop[1:]) if cfop[:1] in ("5", "6") else None for cfop in cfops}
    if not meanings or None in meanings.values():
        return None
    codes = ", ".join(sorted(meanings))
    labels = set(meanings.values())
    return f"{labels.pop()} (CFOP {codes})" if len(labels) == 1 else f"no sale (CFOP {codes})"


def _duplicatas(info: Element, default_due: date) -> tuple[Installment, ...]:
    installments = []
    for position, dup in enumerate(info.findall("nfe:cobr/nfe:dup", _NS), 1):
        due = text(dup, "nfe:dVenc", _NS)
        try:
            due_date = date.fromisoformat(due) if due else default_due
        except ValueError as exc:
            raise RowRefused(
                "nfe_due_date", f"duplicata {position}: dVenc {due!r} is not a date", position=position, value=due
            ) from exc
        installments.append(
            Installment(
                number=text(dup, "nfe:nDup", _NS) or str(position),
                due_date=due_date,
                amount=Money.from_decimal(_required(dup, "nfe:vDup"), _CURRENCY),
            )
        )
    return tuple(installments)


@dataclass(frozen=True, slots=True)
class _Event:
    """An NF-e event as requested (evento/infEvento) and as SEFAZ registered it (retEvento/infEvento)."""

    request: Element | None
    registration: Element | None

    def field(self, name: str) -> str | None:
        """From the registration first: it is what SEFAZ recorded."""
        parts = (self.registration, self.request)
        return next((value for part in parts if part is not None and (value := text(part, f"nfe:{name}", _NS))), None)

    @property
    def kind(self) -> str | None:
        return self.field("tpEvento")

    def access_key(self) -> str:
        keys = {text(part, "nfe:chNFe", _NS) for part in (self.request, self.registration) if part is not None}
        if len(keys) > 1:
            raise RowRefused(
                "event_other_nfe", "the event's registration (retEvento) belongs to another NF-e (chNFe differs)"
            )
        key = keys.pop() if keys else None
        if key is None or not _EVENT_KEY.match(key):
            raise RowRefused("event_key", f"the event's chNFe {key!r} is not an NF-e access key (44 digits)", value=key)
        return key


def _event_document(root: Element, options: ParseOptions) -> ParseResult:
    event = _Event(root.find("nfe:evento/nfe:infEvento", _NS), root.find("nfe:retEvento/nfe:infEvento", _NS))
    if event.request is None and event.registration is None:
        return Rejection(1, problem("event_missing", "no event: the procEventoNFe has neither evento nor retEvento"))
    try:
        return _cancellation(event, options)
    except InvalidInput as exc:
        return Rejection(1, problem_from(exc))


def _bundled_cancellations(
    root: Element, access_key: str | None, options: ParseOptions
) -> tuple[list[ParsedCancellation], list[Problem]]:
    """The cancellations delivered inside an nfeProc, and warnings for those that cannot be applied."""
    events = [
        _Event(proc.find("nfe:evento/nfe:infEvento", _NS), proc.find("nfe:retEvento/nfe:infEvento", _NS))
        for proc in root.iter(_tag("procEventoNFe"))
    ] + [_Event(None, registration) for registration in root.findall("nfe:retEvento/nfe:infEvento", _NS)]
    cancellations: list[ParsedCancellation] = []
    warnings: list[Problem] = []
    for event in events:
        if access_key is None or event.kind not in _CANCELLATIONS:
            continue
        named = event.field("chNFe")
        if named != access_key:
            warnings.append(
                problem(
                    "cancellation_elsewhere",
                    f"a cancellation of another NF-e (chNFe {named}) came with this one and was not applied",
                    value=named,
                )
            )
            continue
        try:
            cancellations.append(_cancellation(event, options))
        except InvalidInput as exc:
            warnings.append(
                problem("cancellation_not_applied", f"the cancellation that came with this NF-e was not applied: {exc}")
            )
    return cancellations, warnings


def _cancellation(event: _Event, options: ParseOptions) -> ParsedCancellation:
    if event.kind not in _CANCELLATIONS:
        named = event.field("xEvento") or event.field("detEvento/nfe:descEvento")
        raise RowRefused(
            "event_not_cancellation",
            f"event {event.kind} ({named or 'unnamed'}) is not a cancellation: only NF-e cancellations (tpEvento "
            "110111, 110112) are read",
            value=named or event.kind,
        )
    key = event.access_key()
    if event.registration is None:
        if not options.accept_unauthorised_nfe:
            raise RowRefused(
                "cancellation_unregistered",
                "the cancellation has no SEFAZ registration (retEvento), so it has not taken effect",
            )
    elif (status := text(event.registration, "nfe:cStat", _NS)) not in _EVENT_REGISTERED:
        reason = text(event.registration, "nfe:xMotivo", _NS) or "no reason given"
        raise RowRefused(
            "cancellation_refused", f"SEFAZ did not register the cancellation: cStat {status} ({reason})", status=status
        )
    if event.field("tpAmb") == _TEST_ENVIRONMENT and not options.accept_unauthorised_nfe:
        raise RowRefused(
            "cancellation_test",
            "the cancellation comes from the SEFAZ test environment (tpAmb 2) and has no fiscal value",
        )
    return ParsedCancellation(1, key, _event_time(event), event.field("detEvento/nfe:xJust"))


def _event_time(event: _Event) -> datetime:
    # dhRegEvento is when SEFAZ registered the cancellation, the moment it took effect; dhEvento is when the issuer
    # asked for it. Both carry a UTC offset (TDateTimeUTC in the event layout).
    moment = event.field("dhRegEvento") or event.field("dhEvento")
    try:
        when = datetime.fromisoformat(moment or "")
    except ValueError as exc:
        raise RowRefused(
            "cancellation_time", f"the cancellation time {moment!r} is not a date and time", value=moment
        ) from exc
    if when.tzinfo is None:
        raise RowRefused("cancellation_time", f"the cancellation time {moment!r} has no UTC offset", value=moment)
    return when
