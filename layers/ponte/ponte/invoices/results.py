"""What a parser yields per invoice or bad item, and the error for a file that cannot be read at all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Literal, cast, get_args

from pydantic import ValidationError

from ponte.domain.bodies.invoices import QuarantineCode
from ponte.domain.errors import InvalidInput
from ponte.domain.invoices import Invoice, Item, Party, SourceFormat
from ponte.domain.money import InvalidAmount, Money
from ponte.domain.uploads import RowCode

_CODES = frozenset(get_args(RowCode))


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with a row or document, or worth checking in one: `reason` in English for whoever debugs the
    file; `code` and `facts` for the sentence its reader gets in their language (`ponte.messages.texts.rows`). A
    fact is what the sentence needs: a field's name, a line number, the value the file holds."""

    code: RowCode
    reason: str
    facts: Mapping[str, str] = field(default_factory=dict)


def problem(code: RowCode, reason: str, **facts: object) -> Problem:
    """A problem with its facts as text; a fact given as None is left out."""
    return Problem(code, reason, {name: str(value) for name, value in facts.items() if value is not None})


class RowRefused(InvalidInput):
    """A row or document refused: the message is the problem's English reason."""

    def __init__(self, code: RowCode, reason: str, **facts: object) -> None:
        super().__init__(reason)
        self.problem = problem(code, reason, **facts)


def days_after(day: date, days: int) -> date:
    """`days` after the issue date `day`. An issue date so late that there is no such day (9999-12-31, how some ERPs
    write "no date") refuses the document, naming the issue date."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        raise RowRefused(
            "invalid_field", f"issue_date: {day.isoformat()} plus {days} days is past the calendar", field="issue_date"
        ) from None


@dataclass(frozen=True, slots=True)
class ParsedInvoice:
    """An invoice read from the file. `line` is where it starts: the physical CSV line, the position of the
    item in a JSON list (from 1), or 1 for an XML document.

    `items` is what was sold, as far as the document says (for the new-customer alert; not stored with the
    invoice). `owner` is the staff member the row names (CSV `responsável`, `vendedor`, `owner`, `gerente`).
    `warnings` are things the report should tell the back office although the invoice was recorded (a customer
    known only by name, a due date read from payment terms). A cancellation found inside an `nfeProc` is yielded
    as a separate `ParsedCancellation` after the invoice. `settled` is true when the file says some of the invoice's
    installments were paid or cancelled: the invoice is what is still owed, to record if Ponte does not hold it,
    never to correct one it holds; `settled_installments` are those the file says so of (reported on the invoice
    Ponte holds). `listed_owed`: the installments the file lists as owed (their numbers as written, None for a row
    that numbers none), when it has a column that would say otherwise (a status, a settled-on, cancelled-on or
    amount-paid column); None when it has none, and its rows say nothing of what was paid.
    """

    line: int
    invoice: Invoice
    items: tuple[Item, ...] = ()
    owner: str | None = None
    warnings: tuple[Problem, ...] = ()
    settled: bool = False
    settled_installments: tuple[SettledInstallment, ...] = ()
    listed_owed: tuple[str | None, ...] | None = None


@dataclass(frozen=True, slots=True)
class SettledInstallment:
    """An installment a receivables export says was paid or cancelled: its number as the file writes it (None when
    the file numbers none), and the day the file says (a settled-on or cancelled-on column), if any."""

    line: int
    installment: str | None
    state: Literal["paid", "cancelled"]
    day: date | None = None


@dataclass(frozen=True, slots=True)
class SettledInvoice:
    """An invoice every row of which the file says was paid or cancelled: nothing to record, but the invoice Ponte
    holds under its key, in the account its customer leads to, is settled by it (`ParsedInvoice` for the rest)."""

    line: int
    keys: tuple[str, ...]  # its key, then one it may have been recorded under before (`Invoice.earlier_keys`)
    number: str
    customer: Party
    installments: tuple[SettledInstallment, ...]


@dataclass(frozen=True, slots=True)
class ParsedCancellation:
    """An NF-e cancellation event (procEventoNFe, tpEvento 110111, authorised by SEFAZ with cStat 135 or 155):
    the NF-e `access_key` no longer exists as a sale, from `cancelled_at`."""

    line: int
    access_key: str
    cancelled_at: datetime
    reason: str | None = None  # xJust, the issuer's justification


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row, item or document that was not read, and why; the rest of the file is still read. `settled`: a row the
    file says was paid or cancelled, not recorded as owed, and no error of the file."""

    line: int
    problem: Problem
    settled: bool = False

    @property
    def reason(self) -> str:
        return self.problem.reason


type ParseResult = ParsedInvoice | ParsedCancellation | Rejection | SettledInvoice


class FileRejected(InvalidInput):
    """The whole file is unusable: empty, no recognisable header, malformed or unsafe XML, unknown format.

    The message, in English, goes to the report and the logs. The back office's alert is written from `code` and
    `facts` in its reader's language (`UploadQuarantined`); a fact is only what is safe to show anyone (a line
    number, sizes in bytes, the extension of the file's name, a format, CSV field names), never text from the file.
    """

    def __init__(
        self,
        message: str,
        *,
        code: QuarantineCode,
        line: int | None = None,
        size: int | None = None,
        limit: int | None = None,
        extension: str | None = None,
        file_format: SourceFormat | None = None,
        columns: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.code: QuarantineCode = code
        given = {"line": line, "size": size, "limit": limit, "extension": extension, "format": file_format}
        self.facts = {name: str(value) for name, value in given.items() if value is not None}
        if columns:
            self.facts["columns"] = ",".join(columns)


def problem_from(error: ValidationError | InvalidInput) -> Problem:
    """The problem an error stands for: a `RowRefused`'s own; for a model's refusal, its first error's (a rule of
    the domain's, raised as a `PydanticCustomError` whose type is a code, or a field missing, too long or not
    valid); anything else is `unreadable`, its English reason kept."""
    reason = reason_from(error)
    if isinstance(error, RowRefused):
        return error.problem
    if isinstance(error, InvalidAmount) and error.kind in _CODES:
        return Problem(cast("RowCode", error.kind), reason, error.facts)
    if isinstance(error, InvalidInput):
        return Problem("unreadable", reason)
    return _model_problem(error, reason)


def _model_problem(error: ValidationError, reason: str) -> Problem:
    first = error.errors(include_url=False, include_input=False)[0]
    context = {name: str(value) for name, value in (first.get("ctx") or {}).items()}
    where = {"field": about} if (about := _field(first["loc"])) else {}
    kind = first["type"]
    if kind in _CODES and kind not in _PYDANTICS:  # one of the domain's rules (a PydanticCustomError)
        return Problem(cast("RowCode", kind), reason, {**where, **context})
    simple: dict[str, RowCode] = {"missing": "missing_field", "extra_forbidden": "unknown_field"}
    if kind in simple and where:
        return Problem(simple[kind], reason, where)
    if kind in ("string_too_long", "too_long") and where and "max_length" in context:
        code: RowCode = "too_long" if kind == "string_too_long" else "too_many"
        return Problem(code, reason, {**where, "limit": context["max_length"]})
    return Problem("invalid_field", reason, where) if where else Problem("unreadable", reason)


_PYDANTICS = frozenset({"too_long"})  # pydantic's own error types that are also codes: pydantic's meaning wins


def _field(location: tuple[int | str, ...]) -> str | None:
    """The field a model's error is about, as the report names it: an installment's number is the installment's,
    the invoice's key is made from its number, an issuer's details are the issuer's, a customer's name is the
    customer's name."""
    named = [part for part in location if isinstance(part, str)]
    if not named:
        return None
    if named[0] == "issuer":
        return "issuer"
    if "installments" in named and named[-1] in ("number", "due_date", "amount"):
        return {"number": "installment", "due_date": "due_date", "amount": "amount"}[named[-1]]
    if named[-1] == "key":
        return "number"
    if named[0] == "customer" and named[-1] == "name":
        return "customer_name"
    return named[-1]


def reason_from(error: ValidationError | InvalidInput) -> str:
    """A short, human reason from a validation error: `field: message; field: message`."""
    if isinstance(error, InvalidInput):
        return str(error)
    parts = []
    for issue in error.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in issue["loc"])
        message = issue["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


# How far from the day its file is received an invoice's issue or due date may be. Further, it is how an ERP writes
# "no date" (31/12/9999, 01/01/1900, 0001-01-01) or a year mistyped (2062 for 2026): recorded, the ladder would chase
# it as a century late, or never. Ten years holds a business's oldest receivables still owed and its longest plans.
PLAUSIBLE_YEARS = 10


def dated_plausibly(day: date, field: str, received_on: date) -> None:
    """Refuse (`RowRefused`) a `field` dated more than `PLAUSIBLE_YEARS` from `received_on`, counted in calendar
    years: ten years to the day is within."""
    if not _years_from(received_on, -PLAUSIBLE_YEARS) <= day <= _years_from(received_on, PLAUSIBLE_YEARS):
        raise RowRefused(
            "implausible_date",
            f"{field}: {day.isoformat()} is more than {PLAUSIBLE_YEARS} years from {received_on.isoformat()}, "
            "the day the file was received",
            field=field,
            date=day.isoformat(),
            years=PLAUSIBLE_YEARS,
        )


def _years_from(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, in a year without one
        return day.replace(year=day.year + years, day=28)


def plausible(result: ParseResult, received_on: date) -> ParseResult:
    """`result`, or, for an invoice with a date more than `PLAUSIBLE_YEARS` from `received_on`, its refusal naming
    the first such date."""
    if not isinstance(result, ParsedInvoice):
        return result
    invoice = result.invoice
    dated = [("issue_date", invoice.issue_date), *(("due_date", i.due_date) for i in invoice.installments)]
    try:
        for field, day in dated:
            if day is not None:
                dated_plausibly(day, field, received_on)
    except RowRefused as refused:
        return Rejection(result.line, refused.problem)
    return result


def within_total(result: ParseResult) -> ParseResult:
    """`result`, with a warning when its installments add up to more than the document's total: duplicatas that bill
    more than the NF-e's vNF, a UBL invoice's installments before its prepayment. Recorded as the document says:
    the installments are what is collected."""
    if not isinstance(result, ParsedInvoice) or result.invoice.total.amount <= 0:
        return result
    invoice = result.invoice
    billed = sum(i.amount.amount for i in invoice.installments)
    if billed <= invoice.total.amount:
        return result
    currency = invoice.currency
    said = f"the installments add up to {billed} (minor units), more than the total {invoice.total.amount}: check them"
    facts = {
        "billed": f"{Money(amount=billed, currency=currency).to_decimal():f}",
        "total": f"{invoice.total.to_decimal():f}",
        "currency": currency,
    }
    return replace(result, warnings=(*result.warnings, problem("installments_exceed", said, **facts)))


def due_after_issue(result: ParseResult) -> ParseResult:
    """`result`, with a warning when an installment falls due before the invoice was issued: two dates swapped, or
    a year typed wrong. Recorded as written: a business may date an invoice after the sale."""
    if not isinstance(result, ParsedInvoice) or result.invoice.issue_date is None:
        return result
    issued = result.invoice.issue_date
    early = next((i.due_date for i in result.invoice.installments if i.due_date < issued), None)
    if early is None:
        return result
    said = f"due date {early.isoformat()} is before the issue date {issued.isoformat()}: check them"
    warning = problem("due_before_issue", said, date=early.isoformat(), issued=issued.isoformat())
    return replace(result, warnings=(*result.warnings, warning))
