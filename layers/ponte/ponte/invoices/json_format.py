"""JSON uploads in Ponte's own invoice schema: one invoice object, or a list of them.

The schema is `InvoiceDocument`, published as `schemas/invoice.schema.json`; after changing the model, regenerate
that file from the repository root with
`PYTHONPATH=layers/ponte python -c 'from ponte.invoices.json_format import write_schema; write_schema()'`.

A list is read item by item, so a long file streams in flat memory. Numbers are read as exact decimals, never as
floats; amounts may also be written as strings ("1234.56"). The text must be UTF-8 (RFC 8259 §8.1).

Besides what is owed, an invoice may name its owner (the staff member who answers for it), a payment link (https
only), a boleto (nosso número or digitable line, separators ignored) and the NF-e access key it stands for (44
digits, the check digit verified); these follow the CSV layout's rules (`ponte.invoices.values`). A customer with a
name only is read, with a warning.

The customer's `phone` (E.164, or a national number of the business's country, `ParseOptions.default_country`),
`locale` (pt-BR, es or en; a tag such as `pt`, `es-AR` or `en-US` is read as its language) and `email` are how
notices reach them: one that cannot be read is left out with a warning, and the invoice is still recorded.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from ponte.domain.accounts import WrittenDay
from ponte.domain.errors import InvalidInput
from ponte.domain.invoices import Installment, Invoice, InvoiceKind, SourceFormat, erp_invoice_key
from ponte.domain.money import Money, minor_unit_exponent
from ponte.invoices.options import ParseOptions
from ponte.invoices.results import FileRejected, ParsedInvoice, ParseResult, Problem, Rejection, problem, problem_from
from ponte.invoices.values import bank_slip_digits, customer_party, https_url, known_currency, nfe_access_key

_CHUNK = 64 * 1024
_WHITESPACE = re.compile(r"[ \t\n\r]*")


class _Object(dict[str, object]):
    """A JSON object, with the first member its text gives twice (a JSON parser keeps the last one silently)."""

    repeated: str | None = None


def _object(pairs: list[tuple[str, object]]) -> _Object:
    made = _Object(pairs)
    if len(made) < len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                made.repeated = name
                break
            seen.add(name)
    return made


def _repeated(value: object) -> str | None:
    """The first member given twice in an object, or in an object inside it."""
    if isinstance(value, _Object) and value.repeated is not None:
        return value.repeated
    inner = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return next((found for item in inner if (found := _repeated(item)) is not None), None)


_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=Decimal, object_pairs_hook=_object)
# Text a Brazilian writes for thousands and a program reads as decimals: "15.000" is fifteen thousand, or fifteen.
_THOUSANDS_OR_DECIMALS = re.compile(r"\s*[+-]?[1-9]\d{0,2}(?:\.\d{3})+\s*")


def _ambiguous(data: object) -> str | None:
    """An amount of an invoice object as text that reads as thousands or as decimals, unless its currency has three
    decimal places (KWD, where 1.500 is one and a half)."""
    if not isinstance(data, dict):
        return None
    currency = data.get("currency")
    if isinstance(currency, str) and _three_places(currency):
        return None
    installments = data.get("installments")
    amounts = (
        [data.get("total"), *(i.get("amount") for i in installments if isinstance(i, dict))]
        if isinstance(installments, list)
        else [data.get("total")]
    )
    return next((a for a in amounts if isinstance(a, str) and _THOUSANDS_OR_DECIMALS.fullmatch(a)), None)


def _three_places(currency: str) -> bool:
    try:
        return minor_unit_exponent(currency) == 3
    except ValueError:
        return False  # no such currency: the document's own check says so


class CustomerDocument(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Customer", hide_input_in_errors=True, defer_build=True)

    name: str | None = Field(default=None, min_length=1, max_length=200, description="Name or company name.")
    tax_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        description="CNPJ, CPF, VAT number, RFC, NIF…; punctuation is ignored (12.345.678/0001-95).",
    )
    email: str | None = Field(default=None, max_length=254, description="Where customer notices go.")
    phone: str | None = Field(
        default=None,
        max_length=40,
        description="Where SMS notices go: E.164 (+5511987654321), or a national number of the business's country.",
    )
    locale: str | None = Field(
        default=None,
        max_length=35,
        description="The language of the customer's notices: pt-BR, es or en (pt, es-AR, en-US… count as theirs).",
        examples=["pt-BR", "es", "en"],
    )
    reference: str | None = Field(
        default=None, min_length=1, max_length=128, description="The business's own customer code."
    )


class InstallmentDocument(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Installment", hide_input_in_errors=True, defer_build=True)

    number: str = Field(min_length=1, max_length=40, description="Installment number, unique in the invoice.")
    due_date: WrittenDay = Field(description="Local due date (yyyy-mm-dd); it ends at the end of that day.")
    amount: Decimal = Field(gt=0, description="Major units, e.g. 1234.56; a string or a number.")


class InvoiceDocument(BaseModel):
    """A receivable or credit note uploaded as JSON.

    An invoice gives either `due_date` (paid at once) or `installments`, whose amounts add up to `total`.
    A credit note gives neither: `total` is what it credits to the customer.
    """

    model_config = ConfigDict(extra="forbid", title="Ponte invoice", hide_input_in_errors=True, defer_build=True)

    number: str = Field(min_length=1, max_length=100, description="Invoice number as the issuer wrote it.")
    series: str | None = Field(default=None, min_length=1, max_length=20, description="Series, if numbered by series.")
    kind: Literal["invoice", "credit_note"] = "invoice"
    issue_date: WrittenDay | None = Field(default=None, description="yyyy-mm-dd")
    currency: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{3}$",
        description="ISO 4217 code; the business's default currency when absent.",
    )
    total: Decimal = Field(gt=0, description="Major units, positive; for a credit note, the amount credited.")
    due_date: WrittenDay | None = Field(default=None, description="For an invoice paid in one installment.")
    installments: list[InstallmentDocument] | None = Field(default=None, min_length=1, max_length=120)
    customer: CustomerDocument
    owner: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The staff member who answers for this invoice: account manager, salesperson.",
    )
    payment_url: str | None = Field(
        default=None, max_length=2000, pattern=r"^https://", description="Where the customer pays: an https link."
    )
    bank_slip: str | None = Field(
        default=None,
        min_length=1,
        max_length=80,
        description="Boleto nosso número or digitable line; spaces, dots and dashes are ignored.",
    )
    access_key: str | None = Field(
        default=None,
        min_length=44,
        max_length=80,
        description="The NF-e access key (chave de acesso, 44 digits) of this invoice; spaces, dots and dashes are "
        "ignored.",
    )

    @model_validator(mode="before")
    @classmethod
    def _plain_amounts(cls, data: object) -> object:
        if (written := _ambiguous(data)) is not None:
            raise PydanticCustomError(
                "ambiguous_amount",
                "{value} reads as thousands or as decimals: write it without thousands separators, with a point "
                "before the cents (15000.00)",
                {"value": written.strip()},
            )
        return data

    @model_validator(mode="after")
    def _due(self) -> InvoiceDocument:
        given = (self.due_date is not None) + (self.installments is not None)
        if self.kind == "credit_note" and given:
            raise PydanticCustomError("credit_note_due", "a credit note has no due date or installments")
        if self.kind == "invoice" and given != 1:
            raise PydanticCustomError("due_or_installments", "an invoice gives either due_date or installments")
        return self

    def to_invoice(self, options: ParseOptions) -> tuple[Invoice, tuple[Problem, ...]]:
        """The invoice, and the warnings the report should give about it."""
        given = self.customer
        customer, warnings = customer_party(
            name=given.name,
            tax_id=given.tax_id,
            reference=given.reference,
            email=given.email,
            phones=(("phone", given.phone),),
            locale=given.locale,
            country=options.default_country,
        )
        currency = known_currency(self.currency or options.default_currency)
        total = Money.from_decimal(self.total, currency)
        if self.installments is not None:
            installments = tuple(
                Installment(
                    number=item.number,
                    due_date=item.due_date,
                    amount=Money.from_decimal(item.amount, currency),
                )
                for item in self.installments
            )
        elif self.due_date is not None:
            installments = (Installment(number="1", due_date=self.due_date, amount=total),)
        else:
            installments = ()
        kind = InvoiceKind(self.kind)
        invoice = Invoice(
            key=erp_invoice_key(self.series, kind, self.number),
            number=self.number,
            series=self.series,
            kind=kind,
            issue_date=self.issue_date,
            currency=currency,
            total=-total if kind is InvoiceKind.CREDIT_NOTE else total,
            installments=installments,
            customer=customer,
            source=SourceFormat.JSON,
            access_key=nfe_access_key(self.access_key) if self.access_key else None,
            bank_slip=bank_slip_digits(self.bank_slip) if self.bank_slip else None,
            payment_url=https_url(self.payment_url) if self.payment_url else None,
        )
        return invoice, warnings


def write_schema(path: Path = Path("schemas/invoice.schema.json")) -> None:
    text = json.dumps(InvoiceDocument.model_json_schema(), indent=2, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")


def parse(stream: BinaryIO, *, options: ParseOptions) -> Iterator[ParseResult]:
    reader = _Reader(stream)
    first = reader.next_char()
    if first is None:
        raise FileRejected("the file is empty", code="empty")
    if first == "{":
        yield _item(1, reader.value(), options)
    elif first == "[":
        reader.advance()
        yield from (_item(position, value, options) for position, value in enumerate(reader.items(), 1))
    else:
        raise FileRejected("a JSON upload is one invoice object or a list of them", code="json_shape")
    if reader.next_char() is not None:
        raise FileRejected("unexpected data after the JSON value", code="json_trailing")


def _item(position: int, value: object, options: ParseOptions) -> ParseResult:
    if not isinstance(value, dict):
        return Rejection(position, problem("not_object", "an invoice must be a JSON object"))
    if (repeated := _repeated(value)) is not None:
        said = f"{repeated!r} is given twice: which one is meant?"
        return Rejection(position, problem("repeated_member", said, field=repeated))
    try:
        document = InvoiceDocument.model_validate(value)
        invoice, warnings = document.to_invoice(options)
    except (ValidationError, InvalidInput) as exc:
        return Rejection(position, problem_from(exc))
    return ParsedInvoice(position, invoice, owner=document.owner, warnings=warnings)


class _Reader:
    """JSON text decoded chunk by chunk; values are decoded one at a time from a buffer that keeps only the
    unread rest."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self._buffer = ""
        self._position = 0
        self._eof = False

    def _more(self) -> bool:
        if self._eof:
            return False
        chunk = self._stream.read(_CHUNK)
        self._eof = not chunk
        try:
            text = self._decoder.decode(chunk, final=self._eof)
        except UnicodeDecodeError as exc:
            raise FileRejected("JSON must be UTF-8", code="json_encoding") from exc
        self._buffer = self._buffer[self._position :] + text
        self._position = 0
        return True

    def next_char(self) -> str | None:
        """The next character that is not whitespace, left unread; None at the end of the file."""
        while True:
            match = _WHITESPACE.match(self._buffer, self._position)
            self._position = match.end() if match else self._position
            if self._position < len(self._buffer):
                return self._buffer[self._position]
            if not self._more():
                return None

    def advance(self) -> None:
        self._position += 1

    def value(self) -> object:
        while True:
            try:
                value, end = _DECODER.raw_decode(self._buffer, self._position)
            except json.JSONDecodeError as exc:
                if self._more():
                    continue
                raise FileRejected(f"not valid JSON: {exc.msg}", code="json_malformed") from exc
            except (ValueError, RecursionError, ArithmeticError) as exc:
                # An integer of thousands of digits, nesting past the parser's depth, an exponent past Decimal's
                raise FileRejected(f"not JSON an invoice holds ({type(exc).__name__})", code="json_malformed") from exc
            # A number that ends the buffer may go on in the next chunk: decode it again with more text.
            if end == len(self._buffer) and not isinstance(value, dict | list) and self._more():
                continue
            self._position = end
            return value

    def items(self) -> Iterator[object]:
        if self.next_char() == "]":
            self.advance()
            return
        while True:
            if self.next_char() is None:
                raise FileRejected("not valid JSON: the list is not closed", code="json_malformed")
            yield self.value()
            separator = self.next_char()
            self.advance()
            if separator == "]":
                return
            if separator != ",":
                raise FileRejected("not valid JSON: expected ',' or ']' between invoices", code="json_malformed")
