"""UBL 2.1 Invoice and CreditNote, as PEPPOL BIS Billing 3.0 / EN 16931 and national profiles (Peru SUNAT) use them.

Business terms (BT-n) are EN 16931's. The total is the amount due for payment, PayableAmount (BT-115), already
net of prepayments. A credit note always reduces what is owed: its total is made negative whatever sign the
document uses, since sources differ. A credit note is a CreditNote document, or an Invoice whose InvoiceTypeCode
(BT-3) is one of UNTDID 1001's credit notes (381, as Serbia's SEF sends every credit note, and 81, 83, 261, 262,
296, 308, 396, 420, 458, 532): read as an invoice, it would be collected from the customer it credits. A
negative invoice (EN 16931 allows them) stays an invoice with a negative total. Either way nothing is collected, so
there are no installments.

Currency: DocumentCurrencyCode (BT-5), else the currencyID of PayableAmount, which UBL requires on every amount;
amounts in another currency are refused, and a document with neither is refused rather than guessed.

When to pay:
- installments: repeated cac:PaymentTerms with cbc:Amount and a due date (Peru SUNAT "CuotaNNN" with
  PaymentDueDate, Peppol PINT IBG-36 with InstallmentDueDate). Terms that carry SettlementDiscountPercent or
  PenaltySurchargePercent describe an early-payment discount or a penalty, not an installment. The installments
  are not required to add up to the total (SUNAT lists the net pending amount after withholdings);
- otherwise one installment of the whole total, due on the first date found in cbc:DueDate (BT-9), then
  cac:PaymentMeans/cbc:PaymentDueDate (the earliest, as OASIS UBL 2.1 examples put it), then
  cac:PaymentTerms/cbc:PaymentDueDate or InstallmentDueDate;
- with none of them, the payment terms text (BT-20, cac:PaymentTerms/cbc:Note) may still say "N days": "Payment
  within 30 days", "Net 30", "30 dagar netto", "Zahlbar innerhalb 14 Tagen", "pagamento em 30 dias", in English,
  Portuguese, Spanish, German, Swedish, Danish, Norwegian, French, Italian or Dutch (`payment_term_days`), or say to
  pay at once ("Zahlbar sofort", "Due upon receipt": due on the issue date, without a warning). The due
  date is then the issue date plus N, and the invoice carries a warning saying so, since the issuer may have
  meant N days from receipt. Terms that count from the end of the month, or describe an early-payment discount
  without a net term, or name two different periods, are not read;
- or the terms text names the day itself ("Zahlung ohne Abzug bis zum 13.08.2021", "pay by 2021-08-13"): one date,
  written in ISO 8601 or day first with dots, on or after the issue date and within a year of it, is the due date
  (`payment_term_date`), with a warning saying so;
- failing that, on the issue date plus `ParseOptions.default_term_days`, with a warning when the document has payment
  terms the reader does not take (the issuer meant something, and the default is a guess).

The customer's contact is the buyer's (BG-9): ElectronicMail (BT-58) and Telephone (BT-57), a number without its
country code read as one of the buyer's country (PostalAddress/Country/IdentificationCode, BT-55), else of
`ParseOptions.default_country`. An e-mail or phone that cannot be read is left out with a warning; the document is
still read. The supplier's contact e-mail reaches nobody: one that is not an address is left out without a word.

The lines (cac:InvoiceLine or cac:CreditNoteLine: Item/Name, the quantity, LineExtensionAmount) are kept as the
items, the first `MAX_ITEMS` of them. No payment link is read: EN 16931 has no business term for one, and none of
the published examples carries one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import BinaryIO
from xml.etree.ElementTree import Element

from pydantic import ValidationError

from ponte.domain.errors import InvalidInput
from ponte.domain.invoices import Installment, Invoice, InvoiceKind, Item, Party, SourceFormat, invoice_key
from ponte.domain.money import Money
from ponte.invoices.detect import UBL_CREDIT_NOTE_NAMESPACE, UBL_INVOICE_NAMESPACE
from ponte.invoices.options import ParseOptions
from ponte.invoices.results import (
    FileRejected,
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
from ponte.invoices.values import MAX_ITEMS, customer_party, issuer_party, known_currency, line_item

_NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
_PREFIXES = re.compile(r"\b(?:cac|cbc):")  # an element's path as the report names it: without namespace prefixes
_KINDS = {
    f"{{{UBL_INVOICE_NAMESPACE}}}Invoice": InvoiceKind.INVOICE,
    f"{{{UBL_CREDIT_NOTE_NAMESPACE}}}CreditNote": InvoiceKind.CREDIT_NOTE,
}
# UNTDID 1001's document codes for a credit note (EN 16931's code list for BT-3, as Peppol BIS 3.0 allows them on a
# CreditNote): an Invoice document that carries one is a credit note.
_CREDIT_NOTE_CODES = frozenset({"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"})
_NOT_INSTALLMENT = ("cbc:SettlementDiscountPercent", "cbc:PenaltySurchargePercent")
_TERM_DUE_DATES = ("cbc:PaymentDueDate", "cbc:InstallmentDueDate")
_LINES = {
    InvoiceKind.INVOICE: ("cac:InvoiceLine", "cbc:InvoicedQuantity"),
    InvoiceKind.CREDIT_NOTE: ("cac:CreditNoteLine", "cbc:CreditedQuantity"),
}

# Reading "N days" in payment terms text. A number counts when a word for days follows it (or "net" comes before
# it, "Net 30"), in a stretch of text (between . , ; : or line breaks) that is about paying: it has a word about
# payment, a deadline or the invoice, or nothing but the period itself ("30 dagar.", "14 Tage"). So "Arbetet
# påbörjas 7 dagar efter mottagen förskottsbetalning" (work starts 7 days after the prepayment) is not a due date.
_DAYS = re.compile(
    r"(?<![\d.,])(\d{1,3})\s*-?\s*(?:days?|d[ií]as?|tag(?:e|en)?|dag(?:ar|e|er|en)?|jours?|giorn[oi]|gg)\b",
    re.IGNORECASE,
)
_NET_FIRST = re.compile(r"\b(?:net|netto|neto|nett)\s+(\d{1,3})\b(?!\s*%)", re.IGNORECASE)
_NET = re.compile(r"\b(?:net|nets|netto|neto|netos|nett)\b", re.IGNORECASE)
_ABOUT_PAYING = re.compile(
    r"\b(?:pay|paid|due|within|invoice"  # en
    r"|pag|venc|prazo|plazo|dentro|fatura|factura"  # pt, es
    r"|zahl|fällig|innerhalb|binnen|rechnung"  # de
    r"|betal|betaa|förfall|forfald|inom|inden|innen|faktura"  # sv, da, no, nl
    r"|paie|échéance|délai|sous|facture|scaden|entro|fattura|vervalt|verval|factuur)",  # fr, it, nl
    re.IGNORECASE,
)
# Terms with an early-payment discount name the discount period too; only a stretch marked net is then the due date
# ("10 Tage 3% Skonto, 30 Tage netto"). Terms counted from the end of the month are not a number of days.
_DISCOUNT = re.compile(r"\b(?:skonto|discount|desconto|descuento|rabat|escompte|sconto|korting)", re.IGNORECASE)
_END_OF_MONTH = re.compile(
    r"end of (?:the )?month|\beom\b|fin de mois|fim do m[eê]s|fin de mes|fine mese|d\.?\s?f\.?\s?f\.?\s?m\b"
    r"|monatsende|ende des monats|månadens slut|månedens udgang|slutten av måneden|einde van de maand",
    re.IGNORECASE,
)
# Terms that say to pay at once, with no number of days: due on the issue date.
_AT_ONCE = re.compile(
    r"\b(?:sofort|immediately|immediate|upon receipt|on receipt|à vista|a vista|al contado|de contado|imediato"
    r"|omgående|straks|comptant|à réception|dès réception|a ricevimento|bij ontvangst)\b",
    re.IGNORECASE,
)
# A day written in payment terms: ISO 8601, or day first with dots as Europe writes it (13.08.2021). Slashes are not
# read: 08/07/2021 is a different day in the United States.
_TERMS_DATE = re.compile(r"(?<![\d.])(?:(\d{4})-(\d{2})-(\d{2})|(\d{1,2})\.(\d{1,2})\.(\d{4}))(?![\d])", re.ASCII)
_ZONED_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})", re.ASCII)
_STRETCHES = re.compile(r"[.,;:\n]+")
_WORD = re.compile(r"\w")


def parse(stream: BinaryIO, *, options: ParseOptions) -> Iterator[ParseResult]:
    root = parse_xml(stream)
    document = _KINDS.get(root.tag)
    if document is None:
        raise FileRejected(f"not a UBL 2.1 Invoice or CreditNote: the root element is {root.tag}", code="not_ubl")
    kind = InvoiceKind.CREDIT_NOTE if text(root, "cbc:InvoiceTypeCode", _NS) in _CREDIT_NOTE_CODES else document
    try:
        invoice, warnings = _invoice(root, kind, options)
        items = _items(root, document, invoice.currency)
        yield ParsedInvoice(1, invoice, items=items, warnings=warnings)
    except (InvalidInput, ValidationError) as exc:
        yield Rejection(1, problem_from(exc))


def payment_term_days(note: str) -> int | None:
    """The number of days to pay that payment terms text gives ("Payment within 30 days" → 30; "Zahlbar sofort" → 0),
    or None when it gives none or is ambiguous."""
    if _END_OF_MONTH.search(note):
        return None
    discounted = _DISCOUNT.search(note) is not None
    found: set[int] = set()
    for stretch in _STRETCHES.split(note):
        days = [int(n) for n in (*_DAYS.findall(stretch), *_NET_FIRST.findall(stretch))]
        if not days:
            continue
        net = _NET.search(stretch) is not None
        bare = not _WORD.search(_NET.sub("", _DAYS.sub("", _NET_FIRST.sub("", stretch))))
        if net or (not discounted and (bare or _ABOUT_PAYING.search(stretch))):
            found.update(days)
    if not found and _AT_ONCE.search(note):
        return 0
    return found.pop() if len(found) == 1 else None


def payment_term_date(note: str, issued: date) -> date | None:
    """The due date payment terms text names ("bis zum 13.08.2021"): its one date, when it is on or after the issue
    date and within a year of it; None when it names none, several, or one that cannot be the day to pay by."""
    found: set[date] = set()
    for match in _TERMS_DATE.finditer(note):
        year, month, day = (match[1], match[2], match[3]) if match[1] else (match[6], match[5], match[4])
        try:
            found.add(date(int(year), int(month), int(day)))
        except ValueError:
            return None  # "31.02.2021": not a day, so not a due date to guess around
    if len(found) != 1:
        return None
    (day,) = found
    return day if issued <= day <= days_after(issued, 366) else None


def _invoice(root: Element, kind: InvoiceKind, options: ParseOptions) -> tuple[Invoice, tuple[Problem, ...]]:
    number = _required(root, "cbc:ID")
    issue_date = _date(_required(root, "cbc:IssueDate"), "IssueDate")
    payable = _required_element(root, "cac:LegalMonetaryTotal/cbc:PayableAmount")
    currency = _currency(root, payable)
    total = _amount(payable, currency)
    if kind is InvoiceKind.CREDIT_NOTE:
        total = Money(amount=-abs(total.amount), currency=currency)
    buyer = root.find("cac:AccountingCustomerParty/cac:Party", _NS)
    if buyer is None:
        raise RowRefused("ubl_no_customer", "no customer to collect from: the document has no AccountingCustomerParty")
    customer, notes = _customer(buyer, options)
    issuer = _issuer(root.find("cac:AccountingSupplierParty/cac:Party", _NS))
    issuer_id = issuer.tax_id or issuer.reference or issuer.name or ""
    installments, terms = _installments(root, total, issue_date, options) if total.amount > 0 else ((), ())
    invoice = Invoice(
        key=invoice_key("ubl", issuer_id, kind, number),
        number=number,
        kind=kind,
        issue_date=issue_date,
        currency=currency,
        total=total,
        installments=installments,
        customer=customer,
        issuer=issuer,
        source=SourceFormat.UBL,
    )
    return invoice, (*notes, *terms)


def _required_element(parent: Element, path: str) -> Element:
    found = parent.find(path, _NS)
    if found is None or not (found.text or "").strip():
        raise RowRefused("ubl_missing", f"the document has no {path}", element=_PREFIXES.sub("", path))
    return found


def _required(parent: Element, path: str) -> str:
    return (_required_element(parent, path).text or "").strip()


def _date(value: str, name: str) -> date:
    """An xsd:date, the type of every UBL date: the day as written, with or without the zone it may name
    (`2016-04-04+01:00`, `2016-04-04Z`, as KoSIT's XRechnung test files write them)."""
    written = _ZONED_DATE.fullmatch(value)
    try:
        return date.fromisoformat(written.group(1) if written else value)
    except ValueError as exc:
        raise RowRefused("ubl_date", f"{name} {value!r} is not a date (yyyy-mm-dd)", element=name, value=value) from exc


def _currency(root: Element, payable: Element) -> str:
    code = text(root, "cbc:DocumentCurrencyCode", _NS) or payable.get("currencyID")
    if not code:
        raise RowRefused(
            "ubl_no_currency", "no currency: neither DocumentCurrencyCode nor a currencyID on PayableAmount"
        )
    return known_currency(code)


def _amount(element: Element, currency: str) -> Money:
    stated = element.get("currencyID")
    if stated is not None and stated.strip().upper() != currency:
        name = element.tag.rsplit("}", 1)[-1]
        raise RowRefused(
            "ubl_mixed_currency",
            f"{name} is in {stated}, the document in {currency}",
            element=name,
            stated=stated.strip(),
            currency=currency,
        )
    return Money.from_decimal((element.text or "").strip(), currency)


def _issuer(party: Element | None) -> Party:
    """The supplier (BG-4), whom UBL requires: without one, the invoice's key would be the same whoever issued it."""
    if party is None:
        raise RowRefused("issuer_unidentified", "the document has no AccountingSupplierParty")
    return issuer_party(**_identity(party), email=text(party, "cac:Contact/cbc:ElectronicMail", _NS))


def _customer(party: Element, options: ParseOptions) -> tuple[Party, tuple[Problem, ...]]:
    """The buyer. An electronic address (BT-49 EndpointID) that is an e-mail (scheme EM) is also its e-mail, when the
    contact gives none; as its reference it still finds the account it opened (whose id, opened now, is a hash:
    `ponte.domain.identity.new_account_id`)."""
    country = (text(party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode", _NS) or "").upper()
    endpoint = party.find("cbc:EndpointID", _NS)
    delivered_to = (
        text(party, "cbc:EndpointID", _NS) if endpoint is not None and endpoint.get("schemeID") == "EM" else None
    )
    return customer_party(
        **_identity(party),
        email=text(party, "cac:Contact/cbc:ElectronicMail", _NS) or delivered_to,
        phones=(("phone", text(party, "cac:Contact/cbc:Telephone", _NS)),),
        country=country or options.default_country,
    )


def _identity(party: Element) -> dict[str, str | None]:
    return {
        # BT-44 registration name first; the trading name (PartyName) when that is all there is.
        "name": text(party, "cac:PartyLegalEntity/cbc:RegistrationName", _NS)
        or text(party, "cac:PartyName/cbc:Name", _NS),
        # BT-48 VAT identifier, else BT-47 legal registration identifier.
        "tax_id": text(party, "cac:PartyTaxScheme/cbc:CompanyID", _NS)
        or text(party, "cac:PartyLegalEntity/cbc:CompanyID", _NS),
        # BT-46 buyer identifier (SUNAT puts the RUC here), else BT-49 electronic address.
        "reference": text(party, "cac:PartyIdentification/cbc:ID", _NS) or text(party, "cbc:EndpointID", _NS),
    }


def _is_installment(terms: Element) -> bool:
    """Whether payment terms are an installment: an amount to pay by a date. One of nothing to pay (Peppol PINT
    Oman's published invoices carry `0.00` by the DueDate) is none, and leaves the due date to the document."""
    amount = text(terms, "cbc:Amount", _NS)
    return (
        amount is not None
        and not _nothing(amount)
        and _term_due_date(terms) is not None
        and not any(terms.find(path, _NS) is not None for path in _NOT_INSTALLMENT)
    )


def _nothing(amount: str) -> bool:
    try:
        return Decimal(amount) == 0
    except InvalidOperation:
        return False  # not an amount: refused as an installment's, naming it


def _term_due_date(terms: Element) -> str | None:
    return next((due for path in _TERM_DUE_DATES if (due := text(terms, path, _NS))), None)


def _installments(
    root: Element, total: Money, issue_date: date, options: ParseOptions
) -> tuple[tuple[Installment, ...], tuple[Problem, ...]]:
    """The installments, and warnings about how their due dates were found."""
    terms = [t for t in root.findall("cac:PaymentTerms", _NS) if _is_installment(t)]
    if terms:
        installments = tuple(
            Installment(
                number=text(t, "cbc:PaymentMeansID", _NS) or str(position),
                due_date=_date(_term_due_date(t) or "", "PaymentTerms due date"),
                amount=_amount(_required_element(t, "cbc:Amount"), total.currency),
            )
            for position, t in enumerate(terms, 1)
        )
        return installments, ()
    warnings: tuple[Problem, ...] = ()
    if (due := _due_date(root)) is None:
        notes = " ; ".join(note.text.strip() for note in root.findall("cac:PaymentTerms/cbc:Note", _NS) if note.text)
        if (days := payment_term_days(notes)) == 0:
            pass  # "payable immediately": due on the issue date, as the terms say
        elif days is not None:
            warnings = (
                problem("payment_terms", f"due date read from the payment terms: {days} days after issue", days=days),
            )
        elif (named := payment_term_date(notes, issue_date)) is not None:
            said = f"due date read from the payment terms: {named.isoformat()}"
            return (Installment(number="1", due_date=named, amount=total),), (
                problem("payment_terms_date", said, date=named.isoformat()),
            )
        else:
            days = options.default_term_days
            if notes:  # terms the reader does not take ("end of month", "30/60/90"): the default is a guess
                said = f"the payment terms give no period Ponte reads: due {days} days after issue, the default term"
                warnings = (problem("terms_not_read", said, days=days),)
        due = days_after(issue_date, days)
    return (Installment(number="1", due_date=due, amount=total),), warnings


def _items(root: Element, document: InvoiceKind, currency: str) -> tuple[Item, ...]:
    line_path, quantity_path = _LINES[document]  # an Invoice's lines, even when its type code makes it a credit
    items = []
    for line in root.findall(line_path, _NS)[:MAX_ITEMS]:
        found = line.find("cbc:LineExtensionAmount", _NS)
        try:
            amount = _amount(found, currency) if found is not None and (found.text or "").strip() else None
        except InvalidInput:
            amount = None  # an item is for the people who deliver: a bad line amount does not refuse the invoice
        name = text(line, "cac:Item/cbc:Name", _NS) or text(line, "cac:Item/cbc:Description", _NS)
        if (item := line_item(name, text(line, quantity_path, _NS), amount)) is not None:
            items.append(item)
    return tuple(items)


def _due_date(root: Element) -> date | None:
    if (due := text(root, "cbc:DueDate", _NS)) is not None:
        return _date(due, "DueDate")
    means = [text(m, "cbc:PaymentDueDate", _NS) for m in root.findall("cac:PaymentMeans", _NS)]
    if dates := sorted(_date(d, "PaymentMeans/PaymentDueDate") for d in means if d):
        return dates[0]
    for terms in root.findall("cac:PaymentTerms", _NS):
        if not any(terms.find(path, _NS) is not None for path in _NOT_INSTALLMENT) and (due := _term_due_date(terms)):
            return _date(due, "PaymentTerms due date")
    return None
