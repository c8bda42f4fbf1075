"""The suite's scan for personal data in logs finds each kind, where it is, and leaves ids and times alone."""

from __future__ import annotations

import logging

import pytest

from tests.log_scan import PersonalDataScan, personal_data


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("sent to joao.silva@padaria.example", ["e-mail address"]),
        ('{"to": "+5511987654321"}', ["phone number"]),
        ("ligar (11) 98765-4321", ["phone number"]),
        ("cliente 390.533.447-05", ["tax id"]),
        ("cnpj 11222333000181", ["tax id"]),
        ("CPF 39053344705 sem pontos", ["tax id"]),
        ("card 4242 4242 4242 4242", ["card number"]),
        ("card 5555555555554444", ["card number"]),
    ],
)
def test_each_kind_of_personal_data_is_found(text: str, kinds: list[str]) -> None:
    assert personal_data(text) == kinds


@pytest.mark.parametrize(
    "text",
    [
        "account acct-3f9a1c2b4d5e6f70 evaluated",
        '{"Timestamp":1796004148710}',  # epoch milliseconds
        "notification 9243a288a340d48731a7f178c99ec583 parked",
        "nfe 35200114200166000187550010000000071123456789",  # an NF-e access key: 44 digits, not a tax id
        "arn:aws:sns:us-east-1:123456789012:ponte-StaffAlerts",
        "sequence 12345678901 is not a CPF",  # eleven digits with wrong check digits
        "4242 4242 4242 4241",  # fails the Luhn sum
    ],
)
def test_ids_times_and_keys_are_not_personal_data(text: str) -> None:
    assert personal_data(text) == []


def test_the_scan_reads_structured_fields_and_ignores_other_loggers() -> None:
    scan = PersonalDataScan()
    ours, theirs = logging.getLogger("ponte.scan-test"), logging.getLogger("botocore.scan-test")
    for logger in (ours, theirs):
        logger.addHandler(scan)
        logger.propagate = False
    try:
        ours.warning("customer address marked unreachable", extra={"recipient": "ana@cliente.example"})
        theirs.warning("request to ana@cliente.example")
        ours.info("notification delivered", extra={"account_id": "acct-1"})
    finally:
        for logger in (ours, theirs):
            logger.removeHandler(scan)
    (finding,) = scan.findings
    assert (finding.logger, finding.kind) == ("ponte.scan-test", "e-mail address")
    assert finding.where.endswith("/ recipient") and "ana@" not in finding.where
