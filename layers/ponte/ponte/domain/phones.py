"""Phone numbers in E.164 (`+5511987654321`), the form SMS needs, from the ways people and systems write them.

A number written in international form (`+44 20 7946 0000`, `0044 20 7946 0000`, `+49 (0)30 1234567`) is read by
its country code; one written nationally is read in the numbering plan of the default country. `_PLANS` holds the
plans Ponte knows: Brazil, Argentina, Mexico, Chile, Colombia, Peru, North America (NANP, under US), Spain and
Portugal. A number with another country code is taken at its word when its length can be E.164's (ITU-T E.164 §6:
at most 15 digits); a national number of a country without a plan is refused. Punctuation, a trunk prefix
(`(011) 98765-4321`), the country code written without `+` and an extension (`ramal 21`, `ext. 4`) are allowed;
letters are not. Blank input, or a placeholder of zeros, is no number at all.

Numbers written the way an older plan wrote them are made current where the change was a fixed rule: a Brazilian
mobile without the ninth digit (Anatel added a leading 9 to every mobile, completed in 2016), an Argentine mobile
with 15 after the area code (9 after the country code in international form), a Mexican mobile with 1 after the
country code or 044/045 before it (dropped in 2019), a Colombian landline with a one-digit area code (60 put before
it in 2021).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ponte.domain.errors import InvalidInput

_MAX_DIGITS = 15  # E.164's longest number, country code included
_MIN_DIGITS = 7  # the shortest a number with its country code can be (Niue: +683 and 4 digits)
_EXTENSION = re.compile(
    r"(?:\b(?:ramal|ext|extens[aã]o|extension|anexo|interno|int)\b|(?<![a-z])[xr])\.?\s*:?\s*\d{1,6}\s*$",
    re.IGNORECASE,
)
# "0xx11": Brazil's way of writing the trunk 0 where a carrier selection code would go, none being meant.
_ANY_CARRIER = re.compile(r"(?<!\d)0\s*xx", re.IGNORECASE)
_WRITTEN = re.compile(r"\+?[\d\s().\-/\u00a0\u202f]*")  # digits, a leading +, spaces and ( ) - . /
_NOT_DIGIT = re.compile(r"\D")
_ANY_DIGIT = re.compile(r"\d")  # a decimal digit of any script (Unicode's Nd), which `int` reads
_SEPARATED_TRUNK = "(0)"  # +49 (0)30...: the trunk 0 that is not dialled from abroad, written anyway


class InvalidPhone(InvalidInput):
    """A phone number that cannot be read. The message says why and never repeats the number."""


@dataclass(frozen=True, slots=True)
class _Plan:
    """A country's numbering plan, as far as telling a valid number apart needs it."""

    name: str  # "a Brazilian", for the reasons
    calling_code: str
    national: re.Pattern[str]  # a national significant number, after any rewrite
    expected: str  # what `national` accepts, in words
    prefixes: tuple[re.Pattern[str], ...] = ()  # what may be dialled before a national number (trunk, carrier)
    rewrites: tuple[tuple[re.Pattern[str], str], ...] = ()  # an older way of writing a number, made current
    refusals: tuple[tuple[re.Pattern[str], str], ...] = ()  # a clearer reason for a common mistake


_c = re.compile
# Brazil's area codes (DDD), Anatel's numbering plan: 67 of them.
_DDD = "(?:1[1-9]|2[12478]|3[1-578]|4[1-9]|5[1345]|6[1-9]|7[134579]|8[1-9]|9[1-9])"

_PLANS: dict[str, _Plan] = {
    "BR": _Plan(
        "a Brazilian",
        "55",
        _c(rf"{_DDD}(?:9\d{{8}}|[2-5]\d{{7}})"),
        "an area code (DDD) and 8 digits (a landline, starting with 2 to 5) or 9 (a mobile, starting with 9)",
        # The trunk 0, alone or with a carrier selection code (0 21 11 ..., written 0xx11 when no carrier is meant).
        prefixes=(_c(r"0"), _c(r"0[1-9]\d")),
        rewrites=((_c(rf"({_DDD})([6-9]\d{{7}})"), r"\g<1>9\2"),),
        refusals=(
            (_c(r"0?[3589]00\d{6,8}"), "a 0800, 0300, 0500 or 0900 number takes calls within Brazil only, not SMS"),
            (_c(r"[2-9]\d{7,8}"), "no area code (DDD): a Brazilian number has one before its 8 or 9 digits"),
        ),
    ),
    "AR": _Plan(
        "an Argentine",
        "54",
        _c(r"9?(?:11|[23]\d)\d{8}"),
        "10 digits with the area code, a mobile with 9 before them or 15 after the area code",
        prefixes=(_c(r"0"),),
        rewrites=(
            (_c(r"(11)15(\d{8})"), r"9\1\2"),
            (_c(r"([23]\d{2})15(\d{7})"), r"9\1\2"),
            (_c(r"([23]\d{3})15(\d{6})"), r"9\1\2"),
        ),
    ),
    "MX": _Plan(
        "a Mexican",
        "52",
        _c(r"[2-9]\d{9}"),
        "10 digits with the area code",
        prefixes=(_c(r"01"), _c(r"04[45]")),
        rewrites=((_c(r"1([2-9]\d{9})"), r"\1"),),
    ),
    "CL": _Plan("a Chilean", "56", _c(r"[2-9]\d{8}"), "9 digits (a mobile starts with 9)", prefixes=(_c(r"0"),)),
    "CO": _Plan(
        "a Colombian",
        "57",
        _c(r"(?:3\d\d|60[1-8])\d{7}"),
        "10 digits: a mobile starts with 3, a landline with 60 and its area",
        rewrites=((_c(r"([1-8]\d{7})"), r"60\1"),),
    ),
    "PE": _Plan(
        "a Peruvian",
        "51",
        _c(r"9\d{8}|1\d{7}|[4-8]\d{7}"),
        "9 digits for a mobile (starting with 9), or 8 with the area code (1 for Lima)",
        prefixes=(_c(r"0"),),
    ),
    "US": _Plan(
        "a North American (NANP)",
        "1",
        _c(r"[2-9]\d\d[2-9]\d{6}"),
        "10 digits: a 3-digit area code and a 7-digit number, neither starting with 0 or 1",
        prefixes=(_c(r"1"),),
    ),
    "ES": _Plan("a Spanish", "34", _c(r"[6-9]\d{8}"), "9 digits starting with 6, 7, 8 or 9"),
    "PT": _Plan("a Portuguese", "351", _c(r"[239]\d{8}"), "9 digits starting with 2, 3 or 9"),
}
_BY_CALLING_CODE = {plan.calling_code: plan for plan in _PLANS.values()}


def is_brazilian_landline(e164: str) -> bool:
    """A Brazilian number in E.164 that is a landline: an area code and 8 digits starting with 2 to 5 (a mobile has 9,
    starting with 9)."""
    return len(e164) == 13 and e164.startswith("+55") and e164[5] in "2345"


def to_e164(raw: str, default_country: str = "BR") -> str | None:
    """`raw` in E.164, a number without its country code read as one of `default_country` (ISO 3166-1 alpha-2).

    None when `raw` holds no number (blank, punctuation only, or zeros as a placeholder). InvalidPhone, saying
    why, when it holds one that cannot be read: callers leave it out and report the reason.
    """
    # Digits of any script as the digits they are (a phone's keypad may write ٩٨٧ or ９８７): E.164's are ASCII.
    text = _ANY_CARRIER.sub("0", _EXTENSION.sub("", _ANY_DIGIT.sub(lambda d: str(int(d.group())), raw))).strip()
    if not _WRITTEN.fullmatch(text):
        raise InvalidPhone("only digits, a leading + and the punctuation ( ) - . / belong in a phone number")
    digits = _NOT_DIGIT.sub("", text)
    if not digits.strip("0"):
        return None
    if text.startswith("+") or digits.startswith("00"):
        international = _NOT_DIGIT.sub("", text.replace(_SEPARATED_TRUNK, ""))
        return _international(international.removeprefix("00") if not text.startswith("+") else international)
    if len(digits) > _MAX_DIGITS:
        raise InvalidPhone(f"more than {_MAX_DIGITS} digits: more than one number, or not a phone number")
    plan = _PLANS.get(default_country.strip().upper())
    if plan is None:
        known = ", ".join(_PLANS)
        raise InvalidPhone(
            f"a number without its country code is read only for {known}: write it with + and its country code"
        )
    # As written, then without a trunk or carrier prefix, then without the country code written without its +.
    candidates = [digits, *_without_prefixes(plan, digits)]
    if digits.startswith(plan.calling_code):
        candidates.append(digits.removeprefix(plan.calling_code))
    if (national := _first_valid(plan, candidates)) is not None:
        return f"+{plan.calling_code}{national}"
    raise InvalidPhone(_reason(plan, digits))


def _international(digits: str) -> str:
    if len(digits) > _MAX_DIGITS:
        raise InvalidPhone(f"more than {_MAX_DIGITS} digits with the country code: not one E.164 number")
    if len(digits) < _MIN_DIGITS or digits.startswith("0"):
        raise InvalidPhone("no country code and number after the +")
    for length in (3, 2, 1):  # country codes are prefix-free: at most one of these is one
        plan = _BY_CALLING_CODE.get(digits[:length])
        if plan is None:
            continue
        number = digits[length:]
        candidates = [number, *_without_prefixes(plan, number)]  # +55 (011) ...: a trunk 0 kept by mistake
        if (national := _first_valid(plan, candidates)) is not None:
            return f"+{plan.calling_code}{national}"
        raise InvalidPhone(_reason(plan, number))
    return f"+{digits}"


def _without_prefixes(plan: _Plan, digits: str) -> list[str]:
    return [digits[found.end() :] for prefix in plan.prefixes if (found := prefix.match(digits))]


def _first_valid(plan: _Plan, candidates: list[str]) -> str | None:
    for candidate in candidates:
        current = next(
            (pattern.sub(template, candidate) for pattern, template in plan.rewrites if pattern.fullmatch(candidate)),
            candidate,
        )
        if plan.national.fullmatch(current):
            return current
    return None


def _reason(plan: _Plan, digits: str) -> str:
    return next(
        (reason for pattern, reason in plan.refusals if pattern.fullmatch(digits)),
        f"not {plan.name} number: expected {plan.expected}",
    )
