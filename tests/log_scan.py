"""Every log line the suite makes Ponte emit is scanned for personal data: e-mail addresses, phone numbers, CPF and
CNPJ, card numbers. A test during which one appears fails, naming the logger, the kind and where it was found.

The scan sees each record's message and its structured fields (Powertools puts `extra=` keys on the record), from
Ponte's loggers (`ponte`, the service name every function logs under, and `infra`), whether a handler is called
directly or runs in the local stack.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

from ponte.domain.business import is_valid_cnpj, is_valid_cpf

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+\d{10,15}\b|\(\d{2}\)\s?\d{4,5}-\d{4}")
_CPF_FORMATTED = re.compile(r"\b\d{3}\.\d{3}\.\d{3}-\d{2}\b")
_CNPJ_FORMATTED = re.compile(r"\b\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}\b")
_DIGITS = re.compile(r"(?<![\d.])\d{11}(?:\d{3})?(?![\d.])")
# Card numbers of the major schemes (Visa, Mastercard, Amex, Discover), spaced or not, with a valid Luhn sum; epoch
# milliseconds and other long numbers in logs start with other digits.
_CARD = re.compile(r"\b(?:4\d{3}|5[1-5]\d{2}|3[47]\d{2}|6011)(?:[ -]?\d{4}){2}[ -]?\d{3,4}\b")
_LOGGERS = ("ponte", "infra")


@dataclass(frozen=True)
class Finding:
    logger: str
    kind: str
    where: str  # the field, never the value


def personal_data(text: str) -> list[str]:
    """The kinds of personal data found in `text`."""
    kinds = []
    if _EMAIL.search(text):
        kinds.append("e-mail address")
    if _PHONE.search(text):
        kinds.append("phone number")
    formatted = _CPF_FORMATTED.search(text) or _CNPJ_FORMATTED.search(text)
    if formatted or any(is_valid_cpf(m) or is_valid_cnpj(m) for m in _DIGITS.findall(text)):
        kinds.append("tax id")
    if any(_luhn(re.sub(r"\D", "", m)) for m in _CARD.findall(text)):
        kinds.append("card number")
    return kinds


def _luhn(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


_STANDARD = set(vars(logging.makeLogRecord({})))


class PersonalDataScan(logging.Handler):
    """Collects what it finds; the suite's fixture fails the test that made it."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.findings: list[Finding] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith(_LOGGERS):
            return
        fields = {name: value for name, value in vars(record).items() if name not in _STANDARD}
        texts = {"message": record.getMessage()} | {
            name: json.dumps(value, default=str, ensure_ascii=False) for name, value in fields.items()
        }
        if record.exc_info and record.exc_info[1] is not None:
            texts["exception"] = str(record.exc_info[1])
        for where, text in texts.items():
            for kind in personal_data(text):
                self.findings.append(Finding(record.name, kind, f"{record.getMessage()[:60]!r} / {where}"))
