"""A new account's id is the business's code for the customer, unless that code is the customer's e-mail or tax id:
ids never carry either (they reach logs, URLs and the console's address bar)."""

from __future__ import annotations

import pytest

from ponte.domain.identity import customer_references, new_account_id


def test_the_businesss_code_is_the_new_accounts_id() -> None:
    assert new_account_id(customer_references(reference="CLI-0042", tax_id="11222333000181")) == "CLI-0042"


@pytest.mark.parametrize(
    ("reference", "tax_id"),
    [
        ("financeiro@padaria.example", None),  # an e-mail typed as the customer's code
        ("11.222.333/0001-81", "11222333000181"),  # a CNPJ as the code, written with its punctuation
        ("11222333000181", None),  # the same, from a source that gives no tax id
        ("529.982.247-25", None),  # a CPF
    ],
)
def test_a_code_that_is_an_e_mail_or_a_cpf_or_cnpj_is_hashed(reference: str, tax_id: str | None) -> None:
    account_id = new_account_id(customer_references(reference=reference, tax_id=tax_id))
    assert account_id.startswith("acct-")
    assert reference not in account_id and "@" not in account_id


def test_the_same_code_gives_the_same_id_whatever_else_a_source_gives() -> None:
    # Two sources meet the customer at once: one with its CNPJ, one without; the id is decided by the code alone.
    with_tax_id = new_account_id(customer_references(reference="11222333000181", tax_id="11222333000181"))
    assert with_tax_id == new_account_id(customer_references(reference="11222333000181"))
