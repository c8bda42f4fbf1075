"""Phone numbers as people and systems write them, read into E.164."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ponte.domain.accounts import Contact
from ponte.domain.phones import InvalidPhone, to_e164


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        # Brazil: a mobile (9 digits starting with 9) and a landline (8 digits starting with 2 to 5)
        ("11987654321", "+5511987654321"),
        ("(11) 98765-4321", "+5511987654321"),
        ("11 9 8765.4321", "+5511987654321"),
        ("(47) 3801-0919", "+554738010919"),
        ("+55 47 99937-6637", "+5547999376637"),
        ("+55 (11) 98765-4321", "+5511987654321"),
        ("55 11 98765 4321", "+5511987654321"),  # the country code without its +
        ("5511987654321", "+5511987654321"),
        ("0055 11 98765-4321", "+5511987654321"),  # the international prefix instead of +
        ("011 98765-4321", "+5511987654321"),  # the trunk 0
        ("(0xx11) 3333-4444", "+551133334444"),  # the trunk 0 where a carrier code would go
        ("0 21 11 3333-4444", "+551133334444"),  # with a carrier selection code
        ("0 15 11 98765-4321", "+5511987654321"),
        ("+55 (011) 98765-4321", "+5511987654321"),  # a trunk 0 kept after the country code
        ("55991234567", "+5555991234567"),  # area code 55 (Rio Grande do Sul), no country code
        ("(11) 8765-4321", "+5511987654321"),  # a mobile written before it got its ninth digit
        ("(11) 3333-4444 ramal 21", "+551133334444"),  # the extension is not dialled
        ("11 3333-4444 r. 21", "+551133334444"),
        ("11\u00a098765\u20114321".replace("\u2011", "-"), "+5511987654321"),  # a no-break space
        # numbers already in E.164, or international form, of any country
        ("+5511987654321", "+5511987654321"),
        ("+1 415 555 2671", "+14155552671"),
        ("+44 20 7946 0000", "+442079460000"),
        ("+49 (0)30 1234567", "+49301234567"),  # the (0) is not dialled from abroad
        ("0049 30 1234567", "+49301234567"),
        ("+351 912 345 678", "+351912345678"),
        ("+54 9 11 1234-5678", "+5491112345678"),
        ("+52 1 55 1234 5678", "+525512345678"),  # Mexico's mobile 1, dropped in 2019
    ],
)
def test_numbers_become_e164(written: str, e164: str) -> None:
    assert to_e164(written) == e164


@pytest.mark.parametrize(
    ("written", "country", "e164"),
    [
        ("11 1234-5678", "AR", "+541112345678"),
        ("011 15 1234-5678", "AR", "+5491112345678"),  # a mobile: 15 after the area code
        ("0351 15 123-4567", "AR", "+5493511234567"),
        ("02966 15 41-2345", "AR", "+5492966412345"),  # a four-digit area code
        ("55 1234 5678", "MX", "+525512345678"),
        ("044 55 1234 5678", "MX", "+525512345678"),
        ("01 33 1234 5678", "MX", "+523312345678"),
        ("9 8765 4321", "CL", "+56987654321"),
        ("2 2123 4567", "CL", "+56221234567"),
        ("310 123 4567", "CO", "+573101234567"),
        ("601 234 5678", "CO", "+576012345678"),
        ("1 234 5678", "CO", "+576012345678"),  # a Bogotá landline before 2021's 60
        ("987 654 321", "PE", "+51987654321"),
        ("(01) 234-5678", "PE", "+5112345678"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("1-415-555-2671", "US", "+14155552671"),
        ("415.555.2671 ext. 12", "US", "+14155552671"),
        ("612 34 56 78", "ES", "+34612345678"),
        ("91 123 45 67", "ES", "+34911234567"),
        ("912 345 678", "PT", "+351912345678"),
        ("21 123 4567", "PT", "+351211234567"),
        ("+55 11 98765-4321", "ES", "+5511987654321"),  # with its country code, the default does not matter
        ("(11) 98765-4321", "br", "+5511987654321"),
    ],
)
def test_national_numbers_are_read_in_the_default_country(written: str, country: str, e164: str) -> None:
    assert to_e164(written, country) == e164


@pytest.mark.parametrize("written", ["", "   ", "()  -", "0", "0000000000", "(00) 0000-0000"])
def test_nothing_written_is_no_number(written: str) -> None:
    assert to_e164(written) is None


@pytest.mark.parametrize(
    ("written", "country", "reason"),
    [
        ("98765-4321", "BR", "no area code (DDD)"),
        ("0800 123 4567", "BR", "takes calls within Brazil only"),
        ("(20) 98765-4321", "BR", "not a Brazilian number: expected an area code (DDD)"),  # no DDD 20
        ("(11) 1234-5678", "BR", "not a Brazilian number"),  # a landline starts with 2 to 5
        ("(11) 88765-4321", "BR", "not a Brazilian number"),  # a 9-digit number is a mobile: it starts with 9
        ("+55 11 98765", "BR", "not a Brazilian number"),
        ("123 4567", "US", "not a North American (NANP) number"),
        ("5 1234 5678", "ES", "not a Spanish number"),
        ("11 1234", "AR", "not an Argentine number"),
        ("030 1234567", "DE", "read only for BR, AR, MX, CL, CO, PE, US, ES, PT"),
        ("11 98765-4321 / 11 3333-4444", "BR", "more than one number"),
        ("+55 11 98765-4321 / 3333-4444", "BR", "not one E.164 number"),
        ("+123", "BR", "no country code and number"),
        ("+0 123 4567", "BR", "no country code and number"),
        ("1-800-FLOWERS", "US", "only digits, a leading + and the punctuation"),
        ("11 98765-4321; 11 3333-4444", "BR", "only digits, a leading + and the punctuation"),
        ("11 +98765-4321", "BR", "only digits, a leading + and the punctuation"),
    ],
)
def test_a_number_that_cannot_be_read_says_why(written: str, country: str, reason: str) -> None:
    with pytest.raises(InvalidPhone, match=re.escape(reason)) as refused:
        to_e164(written, country)
    digits = re.sub(r"\D", "", written)
    assert len(digits) < 7 or digits not in re.sub(r"\D", "", str(refused.value))  # the number is not repeated


@given(st.text(alphabet="0123456789 +-()./x", max_size=30), st.sampled_from(["BR", "AR", "MX", "US", "ES", "PT"]))
def test_whatever_is_written_what_comes_out_is_an_account_contact_phone(written: str, country: str) -> None:
    try:
        e164 = to_e164(written, country)
    except InvalidPhone:
        return
    if e164 is not None:
        assert Contact(name="x", phone=e164).phone == e164
        assert to_e164(e164, country) == e164  # reading it again changes nothing


@pytest.mark.parametrize(
    "written",
    [
        "+\u0665\u0665\u0661\u0661\u0669\u0668\u0667\u0666\u0665\u0664\u0663\u0662\u0661",  # Arabic-Indic
        "(\uff11\uff11) \uff19\uff18\uff17\uff16\uff15-\uff14\uff13\uff12\uff11",  # full-width, as a phone may type
    ],
)
def test_digits_of_any_script_are_read_as_the_digits_they_are_and_written_in_ascii(written: str) -> None:
    assert to_e164(written, "BR") == "+5511987654321"
