from datetime import date

import pytest
from pydantic import ValidationError

from ponte.domain.invoices import (
    Installment,
    Invoice,
    InvoiceKind,
    Party,
    SourceFormat,
    invoice_key,
    normalise_tax_id,
)
from ponte.domain.money import Money


def brl(cents: int) -> Money:
    return Money(amount=cents, currency="BRL")


def installment(number: str, cents: int, due: date = date(2024, 3, 10), currency: str = "BRL") -> Installment:
    return Installment(number=number, due_date=due, amount=Money(amount=cents, currency=currency))


def invoice(**changes: object) -> Invoice:
    fields: dict[str, object] = {
        "key": "erp::invoice:42",
        "number": "42",
        "kind": InvoiceKind.INVOICE,
        "issue_date": date(2024, 3, 1),
        "currency": "BRL",
        "total": brl(10000),
        "installments": (installment("1", 4000), installment("2", 6000, date(2024, 4, 10))),
        "customer": Party(name="Padaria Boa Vista", tax_id="12.345.678/0001-95"),
        "source": SourceFormat.CSV,
    }
    return Invoice(**(fields | changes))


def test_a_valid_invoice_sums_its_installments() -> None:
    assert invoice().amount_due == brl(10000)


def test_tax_ids_lose_punctuation_and_keep_letters() -> None:
    assert normalise_tax_id("12.345.678/0001-95") == "12345678000195"
    assert normalise_tax_id(" dk 1234 5678 ") == "DK12345678"
    assert Party(name="x", tax_id="123.456.789-09").tax_id == "12345678909"
    assert Party(name="x", tax_id=" - ").tax_id is None


def test_a_party_needs_something_to_identify_it() -> None:
    with pytest.raises(ValidationError, match="name, a tax id or a reference"):
        Party(email="a@b.com")


def test_installments_must_be_in_the_invoice_currency() -> None:
    with pytest.raises(ValidationError, match="must be in BRL"):
        invoice(installments=(installment("1", 10000, currency="USD"),))


def test_csv_and_json_installments_must_add_up_to_the_total() -> None:
    with pytest.raises(ValidationError, match=r"add up to 90\.00 BRL, not 100\.00 BRL"):
        invoice(installments=(installment("1", 4000), installment("2", 5000)))


def test_nfe_and_ubl_installments_may_differ_from_the_document_total() -> None:
    for source in (SourceFormat.NFE, SourceFormat.UBL):
        partial = invoice(source=source, installments=(installment("1", 100),))
        assert partial.amount_due == brl(100)
        assert partial.total == brl(10000)


def test_a_credit_note_cannot_add_to_what_is_owed() -> None:
    with pytest.raises(ValidationError, match="credit note reduces what is owed"):
        invoice(kind=InvoiceKind.CREDIT_NOTE)
    credit = invoice(kind=InvoiceKind.CREDIT_NOTE, total=brl(-10000), installments=())
    assert credit.amount_due == brl(0)


def test_only_a_positive_total_has_installments() -> None:
    with pytest.raises(ValidationError, match="owed but has no due date"):
        invoice(installments=())
    with pytest.raises(ValidationError, match="owes nothing"):
        invoice(total=brl(-100), source=SourceFormat.UBL, installments=(installment("1", 100),))


def test_installment_numbers_are_unique_and_amounts_positive() -> None:
    with pytest.raises(ValidationError, match="repeats an installment number"):
        invoice(installments=(installment("1", 4000), installment("1", 6000)))
    with pytest.raises(ValidationError, match="must be positive"):
        installment("1", 0)


def test_the_fingerprint_tells_a_correction_from_a_re_upload() -> None:
    original = invoice()
    assert invoice().fingerprint == original.fingerprint
    assert invoice(source=SourceFormat.JSON).fingerprint == original.fingerprint
    corrected = invoice(total=brl(10001), installments=(installment("1", 4001), installment("2", 6000)))
    assert corrected.key == original.key
    assert corrected.fingerprint != original.fingerprint
    assert original.model_dump(mode="json")["fingerprint"] == original.fingerprint


def test_fingerprints_stored_before_parties_had_a_phone_and_locale_stay_valid() -> None:
    # Digests computed before `Party` had `phone` and `locale`: stored fingerprints compare equal to these, so a
    # re-upload of an invoice recorded then is still found unchanged, with or without a phone now.
    customer = Party(name="Padaria Boa Vista", tax_id="12.345.678/0001-95", email="financeiro@boavista.example")
    issuer = Party(name="Moinho", tax_id="11222333000181")
    before = "4e8d072f33b1310acf524ab6961764e3ca72344292c1692f8ecf2a52d6ce3212"
    assert invoice(customer=customer, issuer=issuer).fingerprint == before
    reached = customer.model_copy(update={"phone": "+5511987654321", "locale": "en"})
    assert invoice(customer=reached, issuer=issuer).fingerprint == before
    without_issuer = "ec3f8ee6b61fb77b9ea6a5423eb173b496173ed7cdbb976b2772f6ead3ac6d18"
    assert invoice(customer=customer).fingerprint == without_issuer


def test_a_party_phone_is_e164_and_its_locale_one_ponte_writes() -> None:
    assert Party(name="x", phone="+5511987654321", locale="pt-BR").phone == "+5511987654321"
    with pytest.raises(ValidationError, match="phone"):
        Party(name="x", phone="(11) 98765-4321")
    with pytest.raises(ValidationError, match="locale"):
        Party.model_validate({"name": "x", "locale": "fr"})


def test_keys_keep_their_parts_apart() -> None:
    assert invoice_key("ubl", "BE0000000196", "credit_note", "018304 / 28865") == (
        "ubl:BE0000000196:credit_note:018304 / 28865"
    )
    assert invoice_key("erp", "a:b", "c") != invoice_key("erp", "a", "b:c")
