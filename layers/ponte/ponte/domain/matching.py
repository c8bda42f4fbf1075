"""Which recorded invoice a payment pays, and which uploaded invoice a provider's invoice stands for.

One sale is one receivable: an NF-e uploaded from the ERP and the provider's invoice for the same sale are linked,
not added, and a payment settles the invoice it pays rather than the oldest one. The rules apply in this order, and
the first rule that finds something decides:

1. `provider_invoice`: the payment names the provider's invoice Ponte recorded (Stripe `invoice`, Asaas `payment`).
2. `explicit`: the business's link in the payment's metadata (`SaleLinks.reference`) equals an invoice's number
   (with or without its series), NF-e access key, boleto or key.
3. `number`: the invoice number (and series, when both sides give one) as the business issued it.
4. `access_key`: the NF-e access key (chave de acesso).
5. `bank_slip`: the boleto's nosso número or digitable line (one may contain the other).
6. `amount`: the one open invoice in the payment's currency whose outstanding amount equals the payment.
7. `oldest`: nothing specific; the payment pays the oldest installments first (and staff are told, with the
   candidates, when there was more than one open invoice it could have been for).

A rule that finds more than one invoice never guesses: the match is ambiguous, it moves on to the oldest-first
rule, and the candidates are kept for the alert. Numbers compare without separators, case or the leading zeros
of their digit runs (`000.123` is `123`, `nf-00042` is `NF42`); a series and number written together (`1-123`,
`1/123`) compare as the pair, never as one number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ponte.domain.events import SaleLinks
from ponte.domain.invoices import Invoice

_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")
_NOT_DIGIT = re.compile(r"\D")
_DIGIT_RUN = re.compile(r"\d+")
_SEPARATED = re.compile(r"[-/\s]+")
_SHORTEST_CONTAINED_SLIP = 8  # a nosso número inside a digitable line: shorter digit runs match by chance


class MatchRule(StrEnum):
    PROVIDER_INVOICE = "provider_invoice"
    EXPLICIT = "explicit"
    NUMBER = "number"
    ACCESS_KEY = "access_key"
    BANK_SLIP = "bank_slip"
    AMOUNT = "amount"
    OLDEST = "oldest"


@dataclass(frozen=True, slots=True)
class Match:
    """How a payment (or a provider's invoice) was tied to a recorded invoice.

    `invoice_key` is None for the oldest-first rule; `candidates` are the invoice keys a rule found more than one
    of (an ambiguous link), or the open invoices an oldest-first payment could have been for.
    """

    invoice_key: str | None
    rule: MatchRule
    candidates: tuple[str, ...] = ()

    @property
    def specific(self) -> bool:
        return self.invoice_key is not None


def normal(value: str) -> str:
    """Separators and case go, and each run of digits loses its leading zeros: `000.123` → `123`,
    `nf-00042` → `NF42`."""
    cleaned = _NOT_ALNUM.sub("", value).upper()
    return _DIGIT_RUN.sub(lambda run: run.group().lstrip("0") or "0", cleaned)


def _pair(value: str) -> tuple[str, str] | None:
    """`1-123`, `1/123`, `A 77` → (series, number); None when the value is one token."""
    parts = [part for part in _SEPARATED.split(value.strip()) if part]
    return (normal(parts[0]), normal(parts[1])) if len(parts) == 2 else None


def _names(reference: str, invoice: Invoice) -> bool:
    """Whether `reference` is the invoice's number (`F-123` is invoice `F-123`), or its series and number written
    together (`1-23` is series 1, number 23, and never invoice `123`)."""
    pair = _pair(reference)
    series = normal(invoice.series) if invoice.series else None
    if pair is not None and series is not None and pair == (series, normal(invoice.number)):
        return True
    if pair is None:
        return normal(reference) == normal(invoice.number)
    return _pair(invoice.number) == pair  # the number itself is written in two parts


def _slips_match(given: str, recorded: str | None) -> bool:
    if not recorded:
        return False
    digits = _NOT_DIGIT.sub("", given)
    if not digits:
        return False
    if digits == recorded:
        return True
    shorter, longer = sorted((digits, recorded), key=len)
    return len(shorter) >= _SHORTEST_CONTAINED_SLIP and shorter in longer


def _explicit(links: SaleLinks, invoice: Invoice) -> bool:
    if links.reference is None:
        return False
    wanted = normal(links.reference)
    return (
        _names(links.reference, invoice)
        or wanted == invoice.access_key
        or wanted == normal(invoice.key)
        or _slips_match(links.reference, invoice.bank_slip)
    )


def _number(links: SaleLinks, invoice: Invoice) -> bool:
    if links.invoice_number is None or normal(links.invoice_number) != normal(invoice.number):
        return False
    return links.series is None or invoice.series is None or normal(links.series) == normal(invoice.series)


def _access_key(links: SaleLinks, invoice: Invoice) -> bool:
    return links.access_key is not None and links.access_key == invoice.access_key


def _bank_slip(links: SaleLinks, invoice: Invoice) -> bool:
    return links.bank_slip is not None and _slips_match(links.bank_slip, invoice.bank_slip)


RULES: tuple[tuple[MatchRule, Callable[[SaleLinks, Invoice], bool]], ...] = (
    (MatchRule.EXPLICIT, _explicit),
    (MatchRule.NUMBER, _number),
    (MatchRule.ACCESS_KEY, _access_key),
    (MatchRule.BANK_SLIP, _bank_slip),
)


def by_links(links: SaleLinks, invoices: Sequence[Invoice]) -> Match | None:
    """The invoice `links` name, by the first rule that finds any: a Match with a key when exactly one fits, an
    ambiguous Match (no key, the candidates) when several do, None when no rule finds anything."""
    if links.empty:
        return None
    for rule, fits in RULES:
        found = [invoice.key for invoice in invoices if fits(links, invoice)]
        if len(found) == 1:
            return Match(found[0], rule)
        if found:
            return Match(None, rule, tuple(sorted(found)))
    return None
