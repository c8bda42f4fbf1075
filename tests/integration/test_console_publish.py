"""`ponte console publish` puts the console's files in the template's ConsoleBucket with their content types and a
config.json naming the stack's Cognito app client, the region's Cognito endpoint and the business's time zone; the
CloudFront distribution's cache is invalidated when one is named."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from infra.cli import console
from infra.cli.main import main
from infra.local import LocalStack

ROOT = Path(__file__).resolve().parents[2]


def test_the_console_and_its_settings_land_in_the_console_bucket(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    bucket = stack.physical_id("ConsoleBucket")
    client_id = stack.physical_id("StaffConsoleClient")

    arguments = ["--bucket", bucket, "--client-id", client_id, "--time-zone", "America/Sao_Paulo"]
    status = main(["console", "publish", *arguments])

    assert status == 0
    s3 = boto3.client("s3", region_name="us-east-1")
    listed = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert listed == {"index.html", "app.js", "app.css", "messages.json", "config.json"}
    script = s3.get_object(Bucket=bucket, Key="app.js")
    assert script["ContentType"] == "text/javascript; charset=utf-8"
    assert script["Body"].read() == (ROOT / "console" / "app.js").read_bytes()
    settings = json.loads(s3.get_object(Bucket=bucket, Key="config.json")["Body"].read())
    assert settings == {
        "client_id": client_id,
        "auth_endpoint": "https://cognito-idp.us-east-1.amazonaws.com/",
        "time_zone": "America/Sao_Paulo",
        "api": "",
    }
    assert capsys.readouterr().out.strip() == f"console published: 5 files to s3://{bucket}"


def test_a_named_distribution_has_its_cache_invalidated(stack: LocalStack) -> None:
    class CloudFront:
        def __init__(self) -> None:
            self.batches: list[dict[str, object]] = []

        def create_invalidation(self, DistributionId: str, InvalidationBatch: dict[str, object]) -> dict[str, object]:
            self.batches.append({"DistributionId": DistributionId, **InvalidationBatch})
            return {"Invalidation": {"Id": "I2J0EXAMPLE"}}

    cloudfront = CloudFront()
    settings = console.config(client_id="abc", region="sa-east-1", time_zone="America/Sao_Paulo")

    done = console.publish(
        boto3.client("s3", region_name="us-east-1"),
        cloudfront,
        bucket=stack.physical_id("ConsoleBucket"),
        settings=settings,
        distribution_id="E2EXAMPLE",
    )

    assert done.invalidation == "I2J0EXAMPLE"
    [batch] = cloudfront.batches
    assert batch["DistributionId"] == "E2EXAMPLE" and batch["Paths"] == {"Quantity": 1, "Items": ["/*"]}
    assert settings["auth_endpoint"] == "https://cognito-idp.sa-east-1.amazonaws.com/"


def test_without_a_stack_the_bucket_must_be_named(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as refused:
        main(["console", "publish", "--client-id", "abc", "--time-zone", "America/Sao_Paulo"])

    assert refused.value.code == 2
    assert "ConsoleBucket (--bucket ...)" in capsys.readouterr().err
