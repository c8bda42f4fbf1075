"""The customer-delivery channels against botocore's Stubber: the exact requests, and what each answer becomes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from botocore.stub import Stubber

from ponte.adapters.customer_delivery import (
    SesEmail,
    SmsDirect,
    masked,
    message_tags,
    tag_text,
)
from ponte.domain.errors import DeliveryRefused, DeliveryUnavailable

CUSTOMER = "joão.silva@padaria.example"
PHONE = "+5511988887777"
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


@pytest.fixture
def ses() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("sesv2", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def sns() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("sns", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def unreachable(service: str, error: Exception) -> Any:
    """A client whose every request fails before reaching AWS, as when the network is down."""
    client = boto3.client(service, region_name="us-east-1", config=NO_RETRIES)

    def fail(**_: Any) -> None:
        raise error

    client.meta.events.register("before-send", fail)
    return client


def test_an_email_is_sent_whole_in_utf8_with_the_identity_configuration_set_and_tags(ses: Any) -> None:
    client, stubber = ses
    stubber.add_response(
        "send_email",
        {"MessageId": "0100-ses-1"},
        {
            "FromEmailAddress": "Padaria Estrela <avisos@padaria.example>",
            "Destination": {"ToAddresses": [CUSTOMER]},
            "ReplyToAddresses": ["financeiro@padaria.example"],
            "Content": {
                "Simple": {
                    "Subject": {"Data": "Fatura nº 12/2026 vence amanhã", "Charset": "UTF-8"},
                    "Body": {
                        "Text": {"Data": "Olá, João! A fatura vence amanhã.", "Charset": "UTF-8"},
                        "Html": {"Data": "<p>Olá, João! A fatura <b>vence amanhã</b>.</p>", "Charset": "UTF-8"},
                    },
                }
            },
            "ConfigurationSetName": "ponte-customer-delivery",
            "EmailTags": [
                {"Name": "notice_id", "Value": "acme_reminder-3_2026-11-09"},
                {"Name": "account_id", "Value": "padaria-estrela"},
                {"Name": "invoice", "Value": "Fatura_no_12_2026"},
            ],
        },
    )
    channel = SesEmail(
        "Padaria Estrela <avisos@padaria.example>",
        "ponte-customer-delivery",
        reply_to=("financeiro@padaria.example",),
        client=client,
    )

    message_id = channel.send(
        to=CUSTOMER,
        subject="Fatura nº 12/2026 vence amanhã",
        text="Olá, João! A fatura vence amanhã.",
        html="<p>Olá, João! A fatura <b>vence amanhã</b>.</p>",
        tags={
            "notice_id": "acme/reminder-3/2026-11-09",
            "account_id": "padaria-estrela",
            "invoice": "Fatura nº 12/2026",
        },
    )

    assert message_id == "0100-ses-1"


def test_a_text_only_email_without_reply_to_or_tags_sends_just_that(ses: Any) -> None:
    client, stubber = ses
    stubber.add_response(
        "send_email",
        {"MessageId": "0100-ses-2"},
        {
            "FromEmailAddress": "avisos@padaria.example",
            "Destination": {"ToAddresses": [CUSTOMER]},
            "Content": {
                "Simple": {
                    "Subject": {"Data": "Pagamento recebido", "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": "Obrigado!", "Charset": "UTF-8"}},
                }
            },
            "ConfigurationSetName": "cs",
        },
    )
    channel = SesEmail("avisos@padaria.example", "cs", client=client)
    assert channel.send(to=CUSTOMER, subject="Pagamento recebido", text="Obrigado!", html="", tags={}) == "0100-ses-2"


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("MessageRejected", 400),
        ("BadRequestException", 400),
    ],
)
def test_what_ses_refuses_for_good_is_a_refusal_that_never_names_the_customer(ses: Any, code: str, status: int) -> None:
    client, stubber = ses
    stubber.add_client_error(
        "send_email",
        service_error_code=code,
        service_message=f"Email address is not verified. The following identities failed the check: {CUSTOMER}",
        http_status_code=status,
        response_meta={"RequestId": "req-1"},
    )
    channel = SesEmail("avisos@padaria.example", "cs", client=client)

    with pytest.raises(DeliveryRefused) as refused:
        channel.send(to=CUSTOMER, subject="s", text="t", html="", tags={})

    assert refused.value.code == code and refused.value.request_id == "req-1"
    assert "<address>" in refused.value.reason
    assert CUSTOMER not in f"{refused.value} {refused.value!r} {refused.value.args}"
    # Not chained to the provider's error, whose message names the address: a logged traceback cannot show it.
    assert refused.value.__cause__ is None and refused.value.__context__ is None


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("TooManyRequestsException", 429),
        ("LimitExceededException", 400),
        # The account's or its set-up's: nothing is sent until the business or AWS acts; then the same message is.
        ("AccountSuspendedException", 400),
        ("SendingPausedException", 400),
        ("MailFromDomainNotVerifiedException", 400),
        ("NotFoundException", 404),
        ("InternalFailure", 500),
        ("ServiceUnavailable", 503),
        ("SomethingNew", 502),
    ],
)
def test_throttling_and_server_faults_are_left_for_the_trigger_to_retry(ses: Any, code: str, status: int) -> None:
    client, stubber = ses
    stubber.add_client_error(
        "send_email", service_error_code=code, service_message="slow down", http_status_code=status
    )
    with pytest.raises(DeliveryUnavailable) as unavailable:
        SesEmail("avisos@padaria.example", "cs", client=client).send(
            to=CUSTOMER, subject="s", text="t", html="", tags={}
        )
    assert unavailable.value.code == code


@pytest.mark.parametrize(
    "error",
    [
        EndpointConnectionError(endpoint_url="https://email.us-east-1.amazonaws.com"),
        ReadTimeoutError(endpoint_url="https://email.us-east-1.amazonaws.com"),
    ],
)
def test_no_connection_to_ses_is_unavailable(error: Exception) -> None:
    channel = SesEmail("avisos@padaria.example", "cs", client=unreachable("sesv2", error))
    with pytest.raises(DeliveryUnavailable, match="SES could not be reached"):
        channel.send(to=CUSTOMER, subject="s", text="t", html="", tags={})


def test_a_configuration_fault_propagates_as_it_is(ses: Any) -> None:
    client, stubber = ses
    stubber.add_client_error("send_email", service_error_code="AccessDeniedException", http_status_code=403)
    with pytest.raises(ClientError, match="AccessDeniedException"):
        SesEmail("avisos@padaria.example", "cs", client=client).send(
            to=CUSTOMER, subject="s", text="t", html="", tags={}
        )


def test_a_sender_and_a_configuration_set_are_required() -> None:
    with pytest.raises(ValueError, match="sender identity and a configuration set"):
        SesEmail("", "cs")
    with pytest.raises(ValueError, match="sender identity and a configuration set"):
        SesEmail("avisos@padaria.example", "")


def test_no_client_is_made_until_the_first_message(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_clients(*_: Any, **__: Any) -> None:
        raise AssertionError("a client was created at construction")

    monkeypatch.setattr(boto3, "client", no_clients)
    SesEmail("avisos@padaria.example", "cs")
    SmsDirect("0.50")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("notice_id", "notice_id"),
        ("acme/reminder-3/2026-11-09", "acme_reminder-3_2026-11-09"),
        ("Fatura nº 12/2026", "Fatura_no_12_2026"),
        ("São Paulo", "Sao_Paulo"),
        ("ses:configuration-set", "ses_configuration-set"),
        ("x" * 300, "x" * 256),
        ("日本", ""),
    ],
)
def test_tags_keep_to_the_characters_ses_accepts(given: str, expected: str) -> None:
    assert tag_text(given) == expected


def test_a_tag_that_ends_up_empty_is_left_out() -> None:
    assert message_tags({"a": "1", "日本": "x", "b": "", "c/d": "ü"}) == [
        {"Name": "a", "Value": "1"},
        {"Name": "c_d", "Value": "u"},
    ]


def test_masking_hides_addresses_and_phone_numbers() -> None:
    text = f"identities failed: {CUSTOMER}, Ana <ana@x.example>; phone {PHONE} or (11) 98888-7777"
    assert masked(text) == "identities failed: <address>, Ana <<address>>; phone <phone> or <phone>"


def test_an_sms_is_checked_for_opt_out_then_published_as_transactional_with_its_price_cap(sns: Any) -> None:
    client, stubber = sns
    stubber.add_response("check_if_phone_number_is_opted_out", {"isOptedOut": False}, {"phoneNumber": PHONE})
    stubber.add_response(
        "publish",
        {"MessageId": "sns-1"},
        {
            "PhoneNumber": PHONE,
            "Message": "Padaria Estrela: fatura 12/2026 de R$ 1.500,00 vence amanhã.",
            "MessageAttributes": {
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
                "AWS.SNS.SMS.MaxPrice": {"DataType": "Number", "StringValue": "0.50"},
                "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": "Padaria"},
            },
        },
    )
    channel = SmsDirect("0.50", sender_id="Padaria", client=client)

    message_id = channel.send(
        to=PHONE, text="Padaria Estrela: fatura 12/2026 de R$ 1.500,00 vence amanhã.", tags={"notice_id": "n-1"}
    )

    assert message_id == "sns-1"


def test_without_a_price_cap_or_sender_id_only_the_type_is_set(sns: Any) -> None:
    client, stubber = sns
    stubber.add_response(
        "publish",
        {"MessageId": "sns-2"},
        {
            "PhoneNumber": PHONE,
            "Message": "ok",
            "MessageAttributes": {"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
        },
    )
    channel = SmsDirect(None, sender_id="", client=client, check_opt_out=False)
    assert channel.send(to=PHONE, text="ok", tags={}) == "sns-2"


@pytest.mark.parametrize("number", ["11988887777", "+0511988887777", "+55 11 98888-7777", "+5511988887777123456", ""])
def test_a_number_not_in_e164_is_refused_without_calling_sns(sns: Any, number: str) -> None:
    client, _ = sns  # the stubber has no response queued: any call would fail the test
    with pytest.raises(DeliveryRefused, match=r"E\.164") as refused:
        SmsDirect("0.50", client=client).send(to=number, text="x", tags={})
    assert not number or number not in str(refused.value)


def test_a_number_that_opted_out_is_refused_and_not_published(sns: Any) -> None:
    client, stubber = sns
    stubber.add_response("check_if_phone_number_is_opted_out", {"isOptedOut": True}, {"phoneNumber": PHONE})
    with pytest.raises(DeliveryRefused) as refused:
        SmsDirect("0.50", client=client).send(to=PHONE, text="x", tags={})
    assert refused.value.code == "OptedOut" and PHONE not in str(refused.value)


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("InvalidParameter", 400, DeliveryRefused),
        ("ParameterValueInvalid", 400, DeliveryRefused),
        ("Throttled", 429, DeliveryUnavailable),
        ("InternalError", 500, DeliveryUnavailable),
    ],
)
def test_sns_errors_are_refusals_or_unavailability(sns: Any, code: str, status: int, expected: type[Exception]) -> None:
    client, stubber = sns
    stubber.add_client_error(
        "publish",
        service_error_code=code,
        service_message=f"Invalid parameter: PhoneNumber {PHONE}",
        http_status_code=status,
    )
    with pytest.raises(expected) as caught:
        SmsDirect("0.50", client=client, check_opt_out=False).send(to=PHONE, text="x", tags={})
    assert PHONE not in str(caught.value)


def test_no_connection_to_sns_is_unavailable() -> None:
    client = unreachable("sns", EndpointConnectionError(endpoint_url="https://sns.us-east-1.amazonaws.com"))
    with pytest.raises(DeliveryUnavailable, match="SNS could not be reached"):
        SmsDirect("0.50", client=client).send(to=PHONE, text="x", tags={})
