"""The operator's command line: `python -m infra.ponte <command>`, against a deployed stack or the local one.

    python -m infra.ponte redrive notifications --stack ponte
    python -m infra.ponte redrive notifications --table <name> --queue-url <url> [--endpoint-url http://127.0.0.1:4566]

`redrive notifications` brings back every notification dead-lettered after a day of failures: each is parked again
as due now and released to the outbox, so the notifier delivers it (customers' receipts keep a notice from reaching
anyone twice). The stack's names come from its CloudFormation outputs (`TableName`,
`NotificationDeadLetterQueueUrl`), or are given directly (for `make serve`, with the emulator's endpoint).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any


def main(argv: list[str] | None = None, *, now: datetime | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.ponte", description="Ponte's operator commands")
    commands = parser.add_subparsers(dest="command", required=True)
    redrive = commands.add_parser("redrive", help="bring dead-lettered work back")
    redrive.add_argument("what", choices=["notifications"])
    redrive.add_argument("--stack", help="the deployed stack's name (its outputs name the table and queue)")
    redrive.add_argument("--table", help="the table's name (instead of --stack)")
    redrive.add_argument("--queue-url", help="NotificationDeadLetterQueue's URL (instead of --stack)")
    redrive.add_argument("--endpoint-url", help="an AWS emulator's endpoint (make serve prints it)")
    redrive.add_argument("--limit", type=int, default=1000, help="at most this many notifications (default 1000)")
    args = parser.parse_args(argv)
    table, queue_url = _names(args, parser)
    return _redrive_notifications(table, queue_url, args.endpoint_url, args.limit, now or datetime.now(UTC))


def _names(args: argparse.Namespace, parser: argparse.ArgumentParser) -> tuple[str, str]:
    if args.table and args.queue_url:
        return args.table, args.queue_url
    if not args.stack:
        parser.error("name the stack (--stack) or both --table and --queue-url")
    outputs = _outputs(args.stack, args.endpoint_url)
    missing = [name for name in ("TableName", "NotificationDeadLetterQueueUrl") if name not in outputs]
    if missing:
        parser.error(f"the stack {args.stack} has no output {', '.join(missing)}: deploy the current template")
    return outputs["TableName"], outputs["NotificationDeadLetterQueueUrl"]


def _outputs(stack: str, endpoint_url: str | None) -> dict[str, str]:
    answer = _client("cloudformation", endpoint_url).describe_stacks(StackName=stack)
    return {o["OutputKey"]: o["OutputValue"] for o in answer["Stacks"][0].get("Outputs", [])}


def _redrive_notifications(table: str, queue_url: str, endpoint_url: str | None, limit: int, now: datetime) -> int:
    from ponte.adapters.parking import DeadLetterQueue, ParkedNotifications  # noqa: PLC0415
    from ponte.services.outbox import redrive  # noqa: PLC0415

    result = redrive(
        DeadLetterQueue(queue_url, _client("sqs", endpoint_url)),
        ParkedNotifications(table, _client("dynamodb", endpoint_url)),
        now=now,
        limit=limit,
    )
    print(
        f"{result.redriven} notification(s) redriven, {result.already_parked} already waiting, "
        f"{result.released} released to the notifier"
    )
    return 0


def _client(service: str, endpoint_url: str | None) -> Any:
    import boto3  # noqa: PLC0415

    return boto3.client(service, endpoint_url=endpoint_url) if endpoint_url else boto3.client(service)


if __name__ == "__main__":
    sys.exit(main())
