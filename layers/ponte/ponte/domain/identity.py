"""One customer, one account, whatever the source: the references that lead to an account and the id of a new one.

Webhooks and uploads resolve customers by the same rule. The references of a customer, in the order they are
trusted:
1. `reference`: the business's own id for the customer (ERP code, `account_id` in provider metadata);
2. `tax_id`: the normalised CPF/CNPJ or foreign tax id;
3. the provider's customer id (`stripe`/`cus_123`, `asaas`/`cus_000005219613`);
4. `email`, lower-cased: last, because an accounting office may use one address for several clients, and a shared
   e-mail never joins two different tax ids;
5. `name`, only when nothing else is known (a CSV row or a UBL buyer with a name alone): casefolded, spaces
   collapsed, so that the same name in the next file finds the same account.

The first reference already claimed by an account leads to it; the others are claimed for it. A new account's id
is the business's reference when there is one (by convention the account's id), otherwise a hash of its first
reference: ids never carry a tax id, an e-mail or a name, and the same customer met by two sources at once gets
the same id, so only one account is opened.
"""

from __future__ import annotations

import hashlib
import re
from typing import Final

from ponte.domain.invoices import normalise_tax_id

PAYMENT_SUFFIX: Final = "-payment"  # `stripe-payment`/`pi_123`: the account a recorded payment belongs to
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.:@-]+")
_SPACES = re.compile(r"\s+")
# DynamoDB's partition key holds 2,048 bytes: a reference longer than 512 characters, or than 2,000 bytes in UTF-8
# (the rest is for `REF#<kind>#`), is hashed, not stored as written. (Bytes too: 512 emoji are 2,048 of them.)
_MAX_VALUE = 512
_MAX_BYTES = 2000


def customer_references(
    *,
    reference: str | None = None,
    tax_id: str | None = None,
    provider: str | None = None,
    provider_id: str | None = None,
    email: str | None = None,
    name: str | None = None,
) -> list[tuple[str, str]]:
    """The customer's references in the order they are trusted (see the module's docstring)."""
    found: list[tuple[str, str]] = []
    if reference and reference.strip():
        found.append(("reference", _bounded(reference.strip())))
    if tax_id and (normalised := normalise_tax_id(tax_id)):
        found.append(("tax_id", _bounded(normalised)))
    if provider and provider_id and provider_id.strip():
        found.append((provider, _bounded(provider_id.strip())))
    if email and email.strip():
        found.append(("email", _bounded(email.strip().lower())))
    if not found and name and name.strip():
        found.append(("name", _bounded(_SPACES.sub(" ", name.strip()).casefold())))
    return found


def payment_reference(provider: str, payment_id: str) -> tuple[str, str]:
    """The reference a recorded payment claims, so that its refunds and disputes find the same account."""
    return (f"{provider}{PAYMENT_SUFFIX}", _bounded(payment_id))


def new_account_id(references: list[tuple[str, str]]) -> str:
    """The id of an account opened for a customer no reference led to."""
    kind, value = references[0]
    if kind == "reference" and not _personal(value):
        safe = _ID_UNSAFE.sub("-", value)[:128]
        if safe.strip("-"):
            return safe
    return "acct-" + hashlib.sha256(f"{kind}\x00{value}".encode()).hexdigest()[:24]


def _personal(code: str) -> bool:
    """Whether a business's code for a customer is an e-mail address or a CPF or CNPJ (as a UBL buyer's e-mail
    endpoint, or a spreadsheet's code column holding the document, can be): decided from the code alone, so that the
    same customer met by two sources gets the same id."""
    from ponte.domain.business import is_valid_cnpj, is_valid_cpf  # noqa: PLC0415 - only when an account is opened

    document = normalise_tax_id(code)
    return "@" in code or is_valid_cpf(document) or is_valid_cnpj(document)


def _bounded(value: str) -> str:
    if len(value) <= _MAX_VALUE and len(value.encode("utf-8", "surrogatepass")) <= _MAX_BYTES:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
