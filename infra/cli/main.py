"""The `ponte` command: argument parsing and the answer's exit status (0 done, 1 refused or failed, 2 misused)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from infra.cli import account, console, policy, redrive, webhook_secrets
from infra.cli.aws import Aws, Failed, Target, Usage
from infra.cli.show import Progress, as_json

DESCRIPTION = """Ponte's operator commands, against a deployed stack (--stack NAME: the names come from its
resources and parameters, with your AWS credentials) or the local one (make serve prints the endpoint and the
names: --endpoint-url http://127.0.0.1:4566 --table ... ; credentials testing/testing)."""

REDRIVE_HELP = """queues:
  notifications, NotificationDeadLetterQueue
        notifications dead-lettered after a day of failures: parked again as due now and released to the notifier
        (--table, --queue-url)
  DunningWorkDeadLetterQueue
        accounts the collections worker could not evaluate: sent back to DunningWorkQueue, evaluated as of now
        (--queue-url, --to-queue-url DunningWorkQueue's URL)
  InvoiceUploadFailureQueue
        failed S3 events: InvoiceUpload invoked again, asynchronously; failed continuations: back to
        InvoiceUploadContinuationQueue (--queue-url, --function, --to-queue-url the continuation queue's URL)
  DeliveryEventsFailureQueue
        failed SES events: DeliveryEvents invoked again, asynchronously (--queue-url, --function)

Invoking a function needs Lambda: a deployed stack. Under make serve the functions run inside the local stack,
not in the emulator, so only the first two redrive there.
Not redriven: NotifierFailureQueue (pointers into the 24-hour stream) and DunningScheduleDeadLetterQueue (the next
sweep catches up on a missed one)."""


def main(
    argv: Sequence[str] | None = None,
    *,
    now: datetime | None = None,
    session: Any = None,
    clients: Mapping[str, Any] | None = None,
) -> int:
    """Run one command. `now`, `session` and `clients` are for tests and benchmarks: the moment the command acts
    at, the boto3 session, and clients that replace the session's (by service name)."""
    parser = _parser()
    args = parser.parse_args(argv)
    aws = Aws(
        endpoint_url=getattr(args, "endpoint_url", None),
        profile=getattr(args, "profile", None),
        region=getattr(args, "region", None),
        session=session,
        clients=clients,
    )
    try:
        return _run(args, aws, Target(aws, getattr(args, "stack", None)), _moment(args, now))
    except Usage as misused:
        parser.error(str(misused))
    except Failed as failed:
        print(f"ponte: {failed}", file=sys.stderr)
    except BrokenPipeError:
        # The reader left (`ponte ... | head`): say nothing more, and have nothing left to flush at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except Exception as error:
        reason = _aws_error(error)
        if reason is None:
            raise
        print(f"ponte: {reason}", file=sys.stderr)
    finally:
        aws.close()
    return 1


def _run(args: argparse.Namespace, aws: Aws, target: Target, now: datetime) -> int:
    match args.command, getattr(args, "action", None):
        case "account", "show":
            view = account.show_account(
                aws,
                account_id=args.account_id,
                table_name=target.resource("Table", args.table, "--table"),
                parameter=target.resource("DunningPolicyParameter", args.policy_parameter, "--policy-parameter"),
                business=target.business(args.time_zone, args.country),
                now=now,
            )
            print(account.render(view, as_document=args.json, timeline=args.timeline))
            return 0
        case "policy", "check":
            in_force = None
            if args.stack or args.policy_parameter:
                from ponte.adapters.policy_store import PolicyStore  # noqa: PLC0415

                name = target.resource("DunningPolicyParameter", args.policy_parameter, "--policy-parameter")
                in_force = PolicyStore(name, aws.client("ssm")).current().policy
            checked = policy.check(args.file, policy.read_text(args.file), in_force)
            print(policy.render_check(checked, as_document=args.json))
            return 0 if checked.valid else 1
        case "policy", "preview":
            checked = policy.check(args.file, policy.read_text(args.file))
            if checked.policy is None:
                print(policy.render_check(checked, as_document=args.json))
                return 1
            result = policy.preview(
                aws,
                source=args.file,
                policy=checked.policy,
                table_name=target.resource("Table", args.table, "--table"),
                parameter=target.resource("DunningPolicyParameter", args.policy_parameter, "--policy-parameter"),
                business=target.business(args.time_zone, args.country),
                now=now,
                days=args.days,
                workers=args.workers,
                progress=None if args.quiet else _progress("policy preview: accounts read"),
            )
            print(policy.render_preview(result, as_document=args.json, every=args.all))
            return 0
        case ("redrive", _) | ("console", "publish"):
            command = _redrive if args.command == "redrive" else _publish_console
            print(command(args, aws, target, now))
            return 0
        case "secrets", "set":
            secret_id = target.resource(webhook_secrets.SECRETS[args.provider], args.secret_id, "--secret-id")
            value = webhook_secrets.read_value(args.provider)
            done = webhook_secrets.set_secret(
                aws.client("secretsmanager"),
                provider=args.provider,
                secret_id=secret_id,
                value=value,
                rotate=args.rotate,
            )
            for warning in done.warnings:
                print(f"ponte: warning: {warning}", file=sys.stderr)
            print(as_json(done.document()) if args.json else done.line())
            return 0
    raise Usage(f"unknown command {args.command}")  # pragma: no cover - argparse requires one


def _redrive(args: argparse.Namespace, aws: Aws, target: Target, now: datetime) -> str:
    queue = redrive.queue_named(args.queue)
    queue_url = target.resource(queue, args.queue_url, "--queue-url")
    sqs = aws.client("sqs")
    if queue == "NotificationDeadLetterQueue":
        table = target.resource("Table", args.table, "--table")
        done = redrive.notifications(
            sqs, aws.client("dynamodb"), queue_url=queue_url, table=table, now=now, limit=args.limit
        )
    elif queue == "DunningWorkDeadLetterQueue":
        work = target.resource("DunningWorkQueue", args.to_queue_url, "--to-queue-url")
        done = redrive.collections_work(sqs, queue_url=queue_url, work_queue_url=work, now=now, limit=args.limit)
    else:
        function_id = redrive.FUNCTIONS[queue]
        function = target.resource(function_id, args.function, "--function") if args.function or args.stack else None
        continuation = None
        if queue == "InvoiceUploadFailureQueue" and (args.to_queue_url or args.stack):
            continuation = target.resource("InvoiceUploadContinuationQueue", args.to_queue_url, "--to-queue-url")
        done = redrive.invocations(
            sqs,
            aws.client("lambda"),
            queue=queue,
            queue_url=queue_url,
            function=function,
            continuation_url=continuation,
            limit=args.limit,
        )
    return as_json(done.document()) if args.json else done.line()


def _publish_console(args: argparse.Namespace, aws: Aws, target: Target, _now: datetime) -> str:
    settings = console.config(
        client_id=target.resource("StaffConsoleClient", args.client_id, "--client-id"),
        region=aws.client("s3").meta.region_name,
        time_zone=target.business(args.time_zone, None).time_zone,
    )
    distribution = args.distribution_id
    if distribution is None and args.stack:
        distribution = target.resource("ConsoleDistribution", None, "--distribution-id")
    done = console.publish(
        aws.client("s3"),
        aws.client("cloudfront") if distribution else None,
        bucket=target.resource("ConsoleBucket", args.bucket, "--bucket"),
        settings=settings,
        distribution_id=distribution,
    )
    return as_json(done.document()) if args.json else done.line()


def _progress(what: str) -> Callable[[int], Progress]:
    return lambda total: Progress(what, total)


def _moment(args: argparse.Namespace, now: datetime | None) -> datetime:
    at = getattr(args, "at", None)
    if at is not None:
        return at  # type: ignore[no-any-return]
    return now or datetime.now(UTC)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a whole number above 0: {text!r}")
    return value


def _aware(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date and time: {text!r}") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give the time zone too (2026-11-17T09:00-03:00): {text!r}")
    return moment


def _aws_error(error: Exception) -> str | None:
    """What to tell the operator when AWS (or the way to it) refused; None for anything else (a bug: raised)."""
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    from ponte.domain.errors import InvalidInput  # noqa: PLC0415

    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        operation = getattr(error, "operation_name", "the call")
        return f"AWS refused {operation}: {details.get('Code', '?')}: {details.get('Message', '')}".rstrip(": ")
    if isinstance(error, BotoCoreError | InvalidInput):
        return str(error)
    return None


def _parser() -> argparse.ArgumentParser:
    where = argparse.ArgumentParser(add_help=False)
    group = where.add_argument_group("where")
    group.add_argument("--stack", help="a deployed stack's name: every name below comes from it")
    group.add_argument("--endpoint-url", help="an AWS emulator's endpoint (make serve prints it)")
    group.add_argument("--region", help="the AWS region (default: your AWS configuration's)")
    group.add_argument("--profile", help="the AWS profile whose credentials to use")
    group.add_argument("--json", action="store_true", help="print JSON instead of text")

    business = argparse.ArgumentParser(add_help=False)
    names = business.add_argument_group("names (without --stack)")
    names.add_argument("--table", help="the table's name (TableName)")
    names.add_argument("--policy-parameter", help="the policy's SSM parameter (DunningPolicyParameterName)")
    names.add_argument("--time-zone", help="the business's time zone (default: the stack's BusinessTimeZone)")
    names.add_argument("--country", help="the business's country, for holidays (default: the stack's BusinessCountry)")
    business.add_argument("--at", type=_aware, help="evaluate as of this moment, ISO with its zone (default: now)")

    parser = argparse.ArgumentParser(prog="ponte", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    account = commands.add_parser("account", help="an account as collections sees it")
    account_actions = account.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = account_actions.add_parser(
        "show",
        parents=[where, business],
        help="state, owed, the plan and the timeline",
        description="The account's state and what it owes, what the collections ladder does now and next (the "
        "dunning engine under the policy in force, evaluated now), and its timeline.",
    )
    show.add_argument("account_id", metavar="ID")
    show.add_argument(
        "--timeline",
        type=int,
        default=20,
        metavar="N",
        help="the latest N entries of the timeline (default 20; 0: all)",
    )

    policy = commands.add_parser("policy", help="check or try a dunning policy document")
    policy_actions = policy.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = policy_actions.add_parser(
        "check",
        parents=[where],
        help="validate a policy document",
        description="Validate a policy document as the functions will; exit status 1 when it is invalid. With a "
        "stack (or --policy-parameter), its version must also be above the version in force.",
    )
    check.add_argument("file", metavar="FILE", help="the JSON document, or - for standard input")
    check.add_argument("--policy-parameter", help="the policy's SSM parameter, to compare versions")
    preview = policy_actions.add_parser(
        "preview",
        parents=[where, business],
        help="dry run of a new policy against the current book",
        description="For every account due or overdue: the step due now and the coming steps, and the day it "
        "would be suspended, under the policy in force and under FILE. Read-only; reads the due index and the "
        "overdue book (paginated queries, never a scan), then each account's ledger.",
    )
    preview.add_argument("file", metavar="FILE", help="the new policy's JSON document, or - for standard input")
    preview.add_argument("--days", type=_count, default=30, help="steps up to this many days ahead (default 30)")
    preview.add_argument("--all", action="store_true", help="list every account read, not only those that differ")
    preview.add_argument("--workers", type=_count, default=8, help="ledgers read at once (default 8)")
    preview.add_argument("--quiet", action="store_true", help="no progress on standard error")

    redrive = commands.add_parser(
        "redrive",
        parents=[where],
        help="bring back what a dead-letter queue holds",
        description="Bring back what a dead-letter queue of the template holds, once the cause is fixed.",
        epilog=REDRIVE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    redrive.add_argument("queue", metavar="QUEUE", help="notifications, or the queue's logical id (see below)")
    redrive.add_argument("--queue-url", help="the dead-letter queue's URL (without --stack)")
    redrive.add_argument("--table", help="the table's name (notifications, without --stack)")
    redrive.add_argument("--to-queue-url", help="the queue the messages go back to (without --stack)")
    redrive.add_argument("--function", help="the function invoked again (without --stack)")
    redrive.add_argument("--limit", type=_count, default=1000, help="at most this many messages (default 1000)")

    secrets = commands.add_parser("secrets", help="set a provider's secret")
    secrets_actions = secrets.add_subparsers(dest="action", required=True, metavar="ACTION")
    set_secret = secrets_actions.add_parser(
        "set",
        parents=[where],
        help="set a provider's secret from standard input",
        description="Set a provider's webhook secret (or API credential) from standard input: typed without echo, "
        "or piped. Never an argument: it would stay in the shell's history.",
    )
    providers = sorted(webhook_secrets.SECRETS)
    set_secret.add_argument("provider", metavar="PROVIDER", choices=providers, help=", ".join(providers))
    set_secret.add_argument("--secret-id", help="the secret's ARN (without --stack)")
    set_secret.add_argument("--rotate", action="store_true", help="keep the value in place as the second one")

    _console_parser(commands, where)
    return parser


def _console_parser(commands: Any, where: argparse.ArgumentParser) -> None:
    console_command = commands.add_parser("console", help="publish the staff console")
    console_actions = console_command.add_subparsers(dest="action", required=True, metavar="ACTION")
    publish = console_actions.add_parser(
        "publish",
        parents=[where],
        help="upload the console's files and its config.json, and refresh CloudFront",
        description="Upload the files of console/ to the stack's ConsoleBucket with the config.json the console "
        "reads (the Cognito app client, the business's time zone), then invalidate ConsoleDistribution's cache. "
        "Run it after every sam deploy that changes console/.",
    )
    publish.add_argument("--bucket", help="the console bucket's name (ConsoleBucketName; without --stack)")
    publish.add_argument("--client-id", help="the Cognito app client's id (StaffConsoleClientId; without --stack)")
    publish.add_argument("--distribution-id", help="the CloudFront distribution's id (ConsoleDistributionId)")
    publish.add_argument("--time-zone", help="the business's time zone (default: the stack's BusinessTimeZone)")
