"""Against a deployed stack: opt in with PONTE_E2E_STACK=<stack name> and real AWS credentials.

Skipped otherwise, so that nothing here ever reaches AWS by accident.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

import pytest

STACK = os.environ.get("PONTE_E2E_STACK")
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not STACK, reason="set PONTE_E2E_STACK (and AWS credentials) to test a deployed stack"),
]


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    import boto3

    # The suite's fake credentials are replaced by the real ones the caller exported for this run.
    stack = boto3.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def test_the_stack_publishes_what_users_need(outputs: dict[str, str]) -> None:
    expected = {
        "WebhookBaseUrl",
        "InvoicesBucketName",
        "StaffAlertsTopicArn",
        "CustomerNoticesTopicArn",
        "PlatformBusName",
    }
    assert expected <= set(outputs)


def test_an_unknown_path_is_answered_by_the_http_api(outputs: dict[str, str]) -> None:
    request = urllib.request.Request(f"{outputs['WebhookBaseUrl']}/no-such-path", method="POST", data=b"{}")
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=10)
    assert answer.value.code == 404
    assert "message" in json.loads(answer.value.read())
