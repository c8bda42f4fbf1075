"""Reading what invoice files write, one rule each: amounts, dates, currencies, payment references (NF-e access
key, boleto, payment link), the customer and how to reach them, the lines of what was sold, and the warnings every
parser gives alike."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from pydantic import ValidationError

from ponte.domain.accounts import locale_from
from ponte.domain.invoices import Item, Party
from ponte.domain.money import Money, minor_unit_exponent
from ponte.domain.phones import InvalidPhone, is_brazilian_landline, to_e164
from ponte.invoices.results import Problem, RowRefused, problem

if TYPE_CHECKING:
    from ponte.domain.uploads import RowCode

# The new-customer alert lists what was sold; past this many lines it only needs to know there were more.
MAX_ITEMS = 20
NAME_ONLY = "customer identified by name only"

_SPACES = re.compile(r"[\s\u00a0\u202f]+")  # "1 234,56": space, no-break and narrow no-break space group digits
_UNGROUPED = re.compile(r"([+-]?)(\d+)(?:[.,](\d+))?", re.ASCII)
_POINT_GROUPED = re.compile(r"([+-]?)(\d{1,3}(?:\.\d{3})+)(?:,(\d+))?", re.ASCII)
_COMMA_GROUPED = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+)(?:\.(\d+))?", re.ASCII)
# A cell formatted as currency carries its symbol, before or after the number (`R$ 1.234,56`, `1.234,56 €`), or
# the ISO code. The symbols Brazilian and Spanish-American spreadsheets write, and the currencies each may mean.
_SYMBOLS: dict[str, frozenset[str]] = {
    "R$": frozenset({"BRL"}),
    "US$": frozenset({"USD"}),
    "€": frozenset({"EUR"}),
    "£": frozenset({"GBP"}),
    "$": frozenset({"USD", "MXN", "ARS", "CLP", "COP", "UYU", "CAD", "AUD", "NZD"}),
}
_MARKED = re.compile(
    r"^(?P<sign>[+-]?)(?P<mark>R\$|US\$|\$|€|£|[A-Z]{3})?(?P<number>.*?)(?P<after>R\$|US\$|€|£|[A-Z]{3})?$"
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_SLASHED_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$", re.ASCII)
# ISO 8601's basic format (`20261210`), as bank files, SQL dumps and some ERPs write days; a year from 1900 on.
_BASIC_DATE = re.compile(r"^((?:19|2\d)\d{2})(\d{2})(\d{2})$", re.ASCII)
_DIGIT_SEPARATORS = re.compile(r"[\s./-]+")  # "12345.67890 12345.678901", "1234567-8": how slips and keys are grouped
_ACCESS_KEY_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9)


@cache
def _iso_4217_codes() -> frozenset[str]:
    # Imported on first use: babel's locale data is only needed by uploads, not by every cold start.
    from babel.numbers import list_currencies  # noqa: PLC0415

    return frozenset(list_currencies())


def known_currency(raw: str) -> str:
    """The ISO 4217 code in `raw` (` brl ` → `BRL`), or RowRefused if no such currency exists."""
    code = raw.strip().upper()
    only = _SYMBOLS.get(code, frozenset())
    if len(only) == 1:  # a currency column that holds the symbol: `R$`
        (code,) = only
    if code not in _iso_4217_codes():
        raise RowRefused(
            "unknown_currency",
            f"unknown currency {raw.strip()!r}: expected an ISO 4217 code such as BRL, EUR, USD",
            value=raw.strip(),
        )
    return code


def parse_amount(raw: str, currency: str, decimal_mark: str | None = None) -> Money:
    """An amount in any of the usual decimal styles: `1.234,56`, `1,234.56`, `1234.56`, `1234,56`, `1 234,56`.

    With both separators, the last one is the decimal mark. With one kind only, repeated (`1.234.567`) it groups
    thousands; once, followed by exactly three digits after a 1-3 digit head not starting with 0 (`1.234`), it is
    the file's decimal mark when the file's other amounts prove one (`decimal_mark`: `1,500` in a file of `0,500`
    is one and a half, not fifteen hundred), and otherwise groups thousands, unless the currency has three decimals
    (KWD): no two-decimal currency writes three.
    """
    text = _without_currency(_SPACES.sub("", raw), raw, currency)
    if match := _UNGROUPED.fullmatch(text):
        sign, whole, fraction = match.groups()
        if fraction and _looks_grouped(whole, fraction, currency) and text[len(sign) + len(whole)] != decimal_mark:
            whole, fraction = whole + fraction, None
    elif match := (_POINT_GROUPED.fullmatch(text) or _COMMA_GROUPED.fullmatch(text)):
        sign, grouped, fraction = match.groups()
        whole = grouped.replace(".", "").replace(",", "")
    else:
        raise RowRefused("not_amount", f"not an amount: {raw.strip()!r}", value=raw.strip())
    exponent = minor_unit_exponent(currency)
    if len((fraction or "").rstrip("0")) > exponent:
        reason = f"{sign}{whole}.{fraction} {currency} has more than {exponent} decimal places"
        raise RowRefused("too_many_decimals", reason, value=raw.strip(), currency=currency, places=exponent)
    return Money.from_decimal(f"{sign}{whole}.{fraction or '0'}", currency)


def _without_currency(text: str, raw: str, currency: str) -> str:
    """`text` without the currency symbol or code written before or after the number, when it is `currency`'s;
    RowRefused when it is another currency's."""
    match = _MARKED.fullmatch(text)
    if match is None or not (match["mark"] or match["after"]) or (match["mark"] and match["after"]):
        return text
    mark = match["mark"] or match["after"]
    if currency not in _SYMBOLS.get(mark, frozenset({mark})):
        raise RowRefused(
            "other_currency",
            f"amount {raw.strip()!r} is not in the invoice's currency {currency}",
            value=raw.strip(),
            currency=currency,
        )
    return match["sign"] + match["number"]


def _looks_grouped(head: str, tail: str, currency: str) -> bool:
    return len(tail) == 3 and len(head) <= 3 and head[0] != "0" and minor_unit_exponent(currency) != 3


def slashed_date(raw: str) -> tuple[int, int] | None:
    """The first two numbers of a slashed date (`31/12/2026` → 31, 12), which either order reads; None for another
    shape. A time after the date is ignored, as `parse_date` ignores it."""
    match = _SLASHED_DATE.match(raw.strip().split("T")[0].split(" ")[0])
    return None if match is None else (int(match[1]), int(match[2]))


@lru_cache(maxsize=4096)  # exports repeat the same few dates; the bound keeps memory flat
def parse_date(raw: str, order: Literal["dmy", "mdy"] = "dmy") -> date:
    """`2024-03-31`, `31/03/2024` (or `03/31/2024` with order mdy), `20240331`; a time after the date is ignored."""
    text = raw.strip().split("T")[0].split(" ")[0]
    month = 0
    try:
        if _ISO_DATE.match(text):
            month = int(text[5:7])
            return date.fromisoformat(text)
        if basic := _BASIC_DATE.match(text):
            year, month, day = (int(part) for part in basic.groups())
            return date(year, month, day)
        match = _SLASHED_DATE.match(text)
        if match:
            first, second, year = (int(part) for part in match.groups())
            day, month = (first, second) if order == "dmy" else (second, first)
            return date(year, month, day)
    except ValueError as exc:
        # A day its month does not have (31/11) is no such date; a thirteenth month, a date not written as expected.
        code: RowCode = "no_such_date" if 1 <= month <= 12 else "not_date"
        raise RowRefused(code, f"not a date: {raw.strip()!r} ({exc})", value=raw.strip()) from exc
    expected = "expected dd/mm/yyyy, yyyy-mm-dd or yyyymmdd"
    raise RowRefused("not_date", f"not a date: {raw.strip()!r}: {expected}", value=raw.strip())


def nfe_access_key(raw: str) -> str:
    """The 44 digits of an NF-e access key as people copy it (`3524 0112 ...`, with dots or dashes).

    The last digit is checked: it is the modulo-11 check digit of the first 43 (MOC 4.00, annex I, field A03
    cDV: weights 2 to 9 from the right, 0 when 11 minus the remainder is 10 or more), so a mistyped key is refused.
    """
    digits = _DIGIT_SEPARATORS.sub("", raw)
    if not (len(digits) == 44 and digits.isascii() and digits.isdigit()):
        raise RowRefused("access_key_length", f"NF-e access key {raw.strip()!r} is not 44 digits", value=raw.strip())
    total = sum(int(d) * _ACCESS_KEY_WEIGHTS[i % 8] for i, d in enumerate(reversed(digits[:43])))
    check = 11 - total % 11
    if (0 if check >= 10 else check) != int(digits[43]):
        raise RowRefused(
            "access_key_digit",
            f"NF-e access key {raw.strip()!r} has a wrong check digit: it was mistyped",
            value=raw.strip(),
        )
    return digits


def bank_slip_digits(raw: str) -> str:
    """A boleto's nosso número or digitable line as digits only: `34191.79001 01043...` → `3419179001...`."""
    digits = _DIGIT_SEPARATORS.sub("", raw)
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 60:
        raise RowRefused(
            "not_bank_slip",
            f"boleto {raw.strip()!r} is not a nosso número or digitable line: expected digits",
            value=raw.strip(),
        )
    return digits


def https_url(raw: str) -> str:
    """A payment link, refused unless it is an https address: customers are sent there to pay."""
    url = raw.strip()
    try:
        host = urlsplit(url).hostname
    except ValueError:  # a malformed address, e.g. an unclosed IPv6 bracket
        host = None
    if not url.startswith("https://") or not host or len(url) > 2000 or any(c.isspace() for c in url):
        raise RowRefused("not_https", f"payment link {url!r} is not an https:// address", value=url)
    return url


def line_item(description: str | None, quantity: str | None, amount: Money | None) -> Item | None:
    """A line of what was sold, or None when it has no description. Never refuses the invoice: a description is
    cut to the 200 characters an item keeps, and a quantity too long to be one is left out."""
    text = " ".join((description or "").split())
    if not text:
        return None
    quantity = (quantity or "").strip() or None
    return Item(
        description=text if len(text) <= 200 else text[:199] + "…",
        quantity=quantity if quantity is None or len(quantity) <= 40 else None,
        amount=amount,
    )


def customer_warnings(customer: Party) -> tuple[Problem, ...]:
    """What the report should say about how the customer is identified: by name alone (a foreign buyer without
    a tax id, a spreadsheet row without a document) it can only be matched to an account by its name."""
    return (problem("name_only", NAME_ONLY),) if customer.tax_id is None and customer.reference is None else ()


def issuer_party(
    *, name: str | None, tax_id: str | None, reference: str | None = None, email: str | None = None
) -> Party:
    """The issuer a document names. One with no name, tax id or reference refuses the document in the issuer's
    words (`issuer_unidentified`), not the customer's. Its e-mail is kept when it is one address, and left out
    without a word when it is not (`Email Address`, two addresses): nobody is reached there, so it refuses nothing."""
    if not (name or tax_id or reference):
        raise RowRefused("issuer_unidentified", "the issuer has no name, tax id or reference")
    identity = {"name": name, "tax_id": tax_id, "reference": reference}
    # As written when it is an address as the record takes it, as it always was (the invoice's fingerprint holds
    # it: cleaned, a re-upload of an invoice recorded before would read as a correction); else cleaned, else none.
    for address in dict.fromkeys((email, _address(email))):
        if address is None:
            continue
        try:
            return Party.model_validate(identity | {"email": address})
        except ValidationError as exc:
            if not any(error["loc"] == ("email",) for error in exc.errors()):
                raise
    return Party.model_validate(identity)


def customer_party(
    *,
    name: str | None = None,
    tax_id: str | None = None,
    reference: str | None = None,
    email: str | None = None,
    phones: Sequence[tuple[str, str | None]] = (),
    locale: str | None = None,
    country: str,
) -> tuple[Party, tuple[Problem, ...]]:
    """The customer a document names, and what the report should say about it.

    Name, tax id and reference identify the customer: one that breaks a rule refuses the invoice (ValidationError).
    How to reach the customer never does: an e-mail that is not an address, a phone that cannot be read, a language
    Ponte does not write is left out with a warning saying why, and the rest is recorded. `phones` are (what the
    document calls it, as written), best first: the first one that reads is kept and the rest are not looked at,
    unless it is a Brazilian landline in the mobile's column: a mobile among the rest is then kept instead, since
    text messages go to it, and the report says so. A number without its country code is one of `country`'s
    (`ponte.domain.phones.to_e164`).
    """
    warnings: list[Problem] = []
    phone = landline = None
    for label, written in phones:
        try:
            found = to_e164(written or "", country)
        except InvalidPhone as exc:
            warnings.append(problem("phone_left_out", f"customer {label} left out: {exc}", field=label))
            continue
        if found is None:
            continue
        if label == "mobile" and is_brazilian_landline(found):
            said = f"customer {label} is a landline: text messages cannot reach it"
            warnings.append(problem("mobile_landline", said, field=label, value=(written or "").strip()))
            landline = landline or found
            continue
        phone = found
        break
    phone = phone or landline
    language = None
    if locale and locale.strip():
        language = locale_from(locale)
        if language is None:
            written = locale.strip()[:40]
            reason = f"customer language {written!r} left out: Ponte writes pt-BR, es or en"
            warnings.append(problem("language_left_out", reason, value=written))
    given_tax_id = tax_id
    if country == "BR" and tax_id:
        tax_id, read = _brazilian_tax_id(tax_id)
        warnings.extend(read)
    fields = {"name": name, "tax_id": tax_id, "reference": reference, "phone": phone, "locale": language}
    address = _address(email)
    try:
        party = Party.model_validate(fields | {"email": address})
    except ValidationError as exc:
        if address is None or not any(error["loc"] == ("email",) for error in exc.errors()):
            raise
        address = None
    if address is None and email and email.strip():
        party = Party.model_validate(fields)  # whatever else is wrong is the customer's identity: it refuses
        warnings.append(problem("email_left_out", "customer e-mail left out: not an e-mail address"))
    if country == "BR" and given_tax_id and party.tax_id and (wrong := _wrong(party.tax_id)) is not None:
        written = given_tax_id.strip()
        reason = {
            "tax_id_digits": f"customer tax id {written!r} has a wrong check digit for a CPF or CNPJ: check it",
            "tax_id_length": f"customer tax id {written!r} has neither a CPF's 11 digits nor a CNPJ's 14: check it",
        }[wrong]
        warnings.append(problem(wrong, reason, value=written))
    return party, (*customer_warnings(party), *warnings)


# An e-mail cell as spreadsheets and mail programs write it: a mailto: link (with its ?subject=), the address in angle
# brackets after a name, quoted (straight or curly), with a list's separator or a sentence's full stop after it, with
# an invisible character pasted in.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")
_BRACKETED = re.compile(r"<([^<>]*)>\s*$")
_AROUND = re.compile(r"^[\s'\"“”‘’(\[]*(?:mailto:)?|\?.*$|[\s'\"“”‘’)\].,;:]+$", re.IGNORECASE)
# What SES sends to: one @, a local part (o'neil is one) and a domain of dotted labels, nothing a list or a sentence
# puts between.
_MAILBOX = re.compile(r"^[^@\s,;:<>()\[\]\"]+@(?:[^@\s,;:<>()\[\]\"'.]+\.)+[^@\s,;:<>()\[\]\"'.]{2,}$")


def _address(written: str | None) -> str | None:
    """The address an e-mail cell holds, without what was written around it; None when there is none, or the cell
    is not one address (two, a typo that SES would bounce: `fin@acme..com.br`, `fin@acme,com.br`)."""
    text = _INVISIBLE.sub("", written or "").strip()
    if (bracketed := _BRACKETED.search(text)) is not None:
        text = bracketed.group(1)
    text = _AROUND.sub("", text)
    local = text.partition("@")[0]
    if not text or not _MAILBOX.fullmatch(text) or ".." in text or local.startswith(".") or local.endswith("."):
        return None
    return text


# What a CNPJ/CPF column holds for a customer without one ("ISENTO", "Consumidor final", "N/A"), spaces and
# punctuation removed: read as no tax id, or every such customer would be one account.
_NO_TAX_ID = frozenset(
    "ISENTO ISENTA NAOINFORMADO NAOIDENTIFICADO NAOPOSSUI NAOTEM NAO NA NI NENHUM SEMDOCUMENTO SEMCPF SEMCNPJ "
    "CONSUMIDOR CONSUMIDORFINAL EXTERIOR NONE NULL".split()
)
# A number a spreadsheet wrote as it showed it ("1,12223E+13"): the digits past the sixth are gone.
_SCIENTIFIC = re.compile(r"^\s*\d+(?:[.,]\d+)?[eE][+-]?\d+\s*$")
# A number cell's decimals ("11222333000181.0", "...,00") and a label before the digits ("CPF: ", "CNPJ ").
_DECIMALS = re.compile(r"^(\d+)[.,]0+$")
_LABEL = re.compile(r"^\s*(?:CPF|CNPJ|CPF/CNPJ|CNPJ/CPF)\s*[:.\-nº°]*\s*", re.IGNORECASE)


def _brazilian_tax_id(written: str) -> tuple[str | None, list[Problem]]:
    """A Brazilian customer's CNPJ or CPF as a spreadsheet or an ERP writes it, read as the document it is: a
    placeholder for "none" is no tax id; a number cell's decimals and a label are dropped; the leading zeros a
    number cell drops are put back when the result's check digits prove it (`04.252.011/0001-10` saved as
    4252011000110 would open a second account beside the NF-e's); a number in scientific notation has lost digits
    and refuses the invoice (`RowRefused`)."""
    if _SCIENTIFIC.match(written):
        raise RowRefused(
            "tax_id_scientific",
            f"tax id {written.strip()!r} was saved in scientific notation and lost its digits",
            value=written.strip(),
        )
    text = _LABEL.sub("", written.strip().lstrip("'"))
    if (decimals := _DECIMALS.match(text.replace(" ", ""))) is not None:
        text = decimals.group(1)
    plain = re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKD", text).upper())  # "NÃO" → "NAO"
    if not plain:
        return None, []  # a dash, as an empty cell is often written
    if plain in _NO_TAX_ID or set(plain) == {"0"}:
        return None, [
            problem("tax_id_none", f"tax id {written.strip()!r} is not a document: left out", value=written.strip())
        ]
    if plain.isdigit() and len(plain) not in (11, 14):
        from ponte.domain.business import is_valid_cnpj, is_valid_cpf  # noqa: PLC0415 - uploads only

        proven = [
            padded
            for length, valid in ((11, is_valid_cpf), (14, is_valid_cnpj))
            if len(plain) < length and valid(padded := plain.zfill(length))
        ]
        if len(proven) == 1:  # a short number both a CPF and a CNPJ prove (191) is left as written, and warned of
            (padded,) = proven
            said = written.strip()
            read = problem(
                "tax_id_zeros", f"tax id {said!r} lost its leading zeros: read as {padded}", value=said, read=padded
            )
            return padded, [read]
    return text, []


def _wrong(tax_id: str) -> RowCode | None:
    """What is wrong with a normalised tax id as a Brazilian customer's: one of a CPF's or a CNPJ's shape with its
    check digits wrong (`tax_id_digits`), digits alone of neither length, even with the zeros a number cell drops
    put back (`tax_id_length`); None when nothing is, or for another shape (a foreign buyer's id, with letters),
    which is not judged. A mistyped document opens an account that the customer's payments, naming the right one,
    would never find: the report says so, and the invoice is recorded."""
    from ponte.domain.business import is_valid_cnpj, is_valid_cpf  # noqa: PLC0415 - uploads only

    if len(tax_id) == 11 and tax_id.isdigit():
        return None if is_valid_cpf(tax_id) else "tax_id_digits"
    if len(tax_id) == 14 and (tax_id.isdigit() or not tax_id[:2].isalpha()):
        # numeric, or alphanumeric as a CNPJ is; not a VAT number's country prefix
        return None if is_valid_cnpj(tax_id) else "tax_id_digits"
    return "tax_id_length" if tax_id.isdigit() else None
