"""Text from an upload that a spreadsheet would run as a formula, made harmless before it goes anywhere.

A cell that begins with `=`, `+`, `-` or `@` is a formula to Excel, LibreOffice and Google Sheets; a tab or a
carriage return first can hide one (OWASP, "CSV Injection"). A customer named `=HYPERLINK("https://x.example",
"Pague aqui")` or `+cmd|' /C calc'!A0` in an ERP export would otherwise travel as written into the account's name,
the platform's `account.opened` event, the owner's new-customer alert and the customer's notices, and from there
into whatever sheet somebody exports them to. What Ponte does with each kind of text, and why:

- Names and descriptions (the customer's and the issuer's name, the owner, what was sold) lose their leading
  trigger characters and the invoice is recorded with a warning naming the field: the debt is real, the customer
  is identified by their tax id or reference, and a name reading `HYPERLINK(…)` shows the back office what the
  file held without running anything. A name that was nothing but triggers (`-`, a spreadsheet's blank) is no name.
- An e-mail address that begins with one is left out with a warning, as any e-mail that cannot be used.
- Identifiers (invoice number, series, installment numbers) refuse the invoice: they are what the customer pays
  against and what the next export must match, so Ponte neither guesses what they should have been nor rewrites
  them. An amount is not text: `-12,50` stays an amount and is read (and refused as negative) as before.
- The customer's reference and tax id are keys, not shown text: kept as written (a tax id keeps only letters and
  digits anyway). An account named after its reference, for lack of a name, is named without the trigger.

Ponte writes no CSV of its own (reports are JSON, and the files it moves are the back office's own, copied
unchanged); a CSV writer added later should prefix such a cell with `'`, as OWASP advises, through `spreadsheet_cell`.
"""

from __future__ import annotations

import re
import string

from pydantic import ValidationError

from ponte.domain.errors import InvalidInput
from ponte.domain.invoices import Item, Party
from ponte.invoices.results import ParsedInvoice, ParseResult, Problem, Rejection, RowRefused, problem, problem_from

TRIGGERS = "=+-@\t\r"
_NUMBER = re.compile(r"[+-]?\d[\d.,]*", re.ASCII)
_SHOWN = {"\t": "a tab", "\r": "a carriage return"}
_CHARACTERS = {"\t": "Tab", "\r": "CR"}  # as a report's sentence names a character that does not show


def formula_trigger(text: str) -> str | None:
    """The character that makes a spreadsheet take `text` for a formula, or None. Spaces before it do not help:
    spreadsheets drop them on import."""
    first = text.lstrip(" ")[:1]
    return first if first and first in TRIGGERS else None


def without_formula(text: str) -> str:
    """`text` without what would make it a formula: `=HYPERLINK(…)` → `HYPERLINK(…)`, `=-=1` → `1`."""
    return text.lstrip(TRIGGERS + string.whitespace) if formula_trigger(text) else text


def spreadsheet_cell(text: str) -> str:
    """`text` as a CSV cell no spreadsheet runs: prefixed with `'` when it would be a formula (OWASP). A signed
    number (`-12,50`) is left as it is: a sheet reads it as the number, which runs nothing."""
    return f"'{text}" if formula_trigger(text) and not _NUMBER.fullmatch(text.strip()) else text


def disarmed(result: ParseResult) -> ParseResult:
    """`result` with no text that a spreadsheet would run (see the module's docstring): the same result when it
    has none, the invoice with the texts cut and a warning each, or a rejection for a formula in an identifier."""
    if not isinstance(result, ParsedInvoice):
        return result
    invoice = result.invoice
    identifiers = [
        ("invoice number", "number", invoice.number),
        ("series", "series", invoice.series),
        *(("installment number", "installment", installment.number) for installment in invoice.installments),
    ]
    for what, field, value in identifiers:
        if value and (trigger := formula_trigger(value)):
            reason = f"{what} {_begins(trigger)}: not recorded"
            return Rejection(result.line, problem("formula", reason, field=field, character=_character(trigger)))
    warnings: list[Problem] = []
    try:
        customer = _party(invoice.customer, "customer", warnings)
        issuer = _party(invoice.issuer, "issuer", warnings) if invoice.issuer else None
    except (InvalidInput, ValidationError) as exc:
        return Rejection(result.line, problem_from(exc))
    items = _items(result.items, warnings)
    owner = _text(result.owner, "owner", warnings, "owner") if result.owner else None
    if not warnings:
        return result
    return ParsedInvoice(
        line=result.line,
        invoice=invoice.model_copy(update={"customer": customer, "issuer": issuer}),
        items=items,
        owner=owner or None,
        warnings=(*result.warnings, *warnings),
    )


def _begins(trigger: str) -> str:
    return f"begins with {_SHOWN.get(trigger, repr(trigger))}, which could make a spreadsheet run it as a formula"


def _character(trigger: str) -> str:
    return _CHARACTERS.get(trigger, trigger)


def _text(value: str, what: str, warnings: list[Problem], field: str) -> str:
    trigger = formula_trigger(value)
    if trigger is None:
        return value
    reason = f"{what} {_begins(trigger)}: recorded without it"
    warnings.append(problem("formula_cut", reason, field=field, character=_character(trigger)))
    return without_formula(value)


def _party(party: Party, role: str, warnings: list[Problem]) -> Party:
    """The party with a harmless name and e-mail; InvalidInput when the name was all it had and nothing of it is
    left."""
    name = (
        _text(party.name, f"{role} name", warnings, f"{role}_name" if role == "customer" else role)
        if party.name
        else None
    )
    if party.name and not (name or party.tax_id or party.reference):
        first = party.name.lstrip(" ")[0]
        reason = f"{role} name {_begins(first)}, and nothing else identifies the {role}"
        if role == "customer":
            raise RowRefused("formula_name", reason, character=_character(first))
        raise RowRefused("formula", reason, field=role, character=_character(first))
    email = party.email
    if email and (trigger := formula_trigger(email)):
        reason = f"{role} e-mail left out: it {_begins(trigger)}"
        warnings.append(
            problem(
                "email_formula" if role == "customer" else "issuer_email_formula",
                reason,
                field=role,
                character=_character(trigger),
            )
        )
        email = None
    if (name, email) == (party.name, party.email):
        return party
    return Party.model_validate(party.model_dump() | {"name": name or None, "email": email})


def _items(items: tuple[Item, ...], warnings: list[Problem]) -> tuple[Item, ...]:
    kept = []
    for position, item in enumerate(items, 1):
        description = _text(item.description, f"item {position} description", warnings, "description")
        if description == item.description:
            kept.append(item)
        elif description:
            kept.append(item.model_copy(update={"description": description}))
    return tuple(kept)
