"""`ponte redrive QUEUE`: bring back what a dead-letter queue of the template holds, once its cause is fixed.

What is sound differs per queue, so each has its own way back; a message is deleted only once it is on its way, and
one that cannot be taken back is left in the queue, visible again at once, and counted.

- NotificationDeadLetterQueue (`notifications`): whole notifications, after a day of failures. Each is parked
  again as due now and released to the notifier (`ponte.services.outbox.redrive`).
- DunningWorkDeadLetterQueue: accounts the collections worker could not evaluate after 5 deliveries. Each goes back
  to DunningWorkQueue, to be evaluated as of now: the worker recomputes from the whole ledger, and the job's old
  time could only act on a day that has passed.
- InvoiceUploadFailureQueue: S3 events the upload function failed on, and continuations that kept failing. The
  function is invoked again, asynchronously, with the event; a continuation goes back to
  InvoiceUploadContinuationQueue. Both resume where the upload stands: recording an upload is idempotent.
- DeliveryEventsFailureQueue: SES events DeliveryEvents failed on. The function is invoked again, asynchronously,
  with the event; recording one is idempotent.

An asynchronous invocation's on-failure destination holds Lambda's record, with the event under `requestPayload`
and the function under `requestContext.functionArn`; a queue given the event alone (a function's dead-letter
queue) needs the function named. Lambda retries the new invocation as the first, and sends a failure back here.

Not redriven: NotifierFailureQueue (its messages point into the table's stream, which keeps records for 24 hours;
the outbox items are in the table) and DunningScheduleDeadLetterQueue (a missed sweep is caught up by the next
run, which reads everything due by then; a missed digest is the day's: read the queue for what failed).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from infra.cli.aws import Failed, Usage

VISIBILITY_SECONDS = 300  # hidden from other readers while this run takes them back
ALIASES = {"notifications": "NotificationDeadLetterQueue"}
REDRIVEN = (
    "NotificationDeadLetterQueue",
    "DunningWorkDeadLetterQueue",
    "InvoiceUploadFailureQueue",
    "DeliveryEventsFailureQueue",
)
NOT_REDRIVEN = {
    "NotifierFailureQueue": "its messages point into the table's stream (kept 24 hours), not at what failed; "
    "the outbox items are still in the table: fix the cause and read the notifier's errors",
    "DunningScheduleDeadLetterQueue": "a missed collections sweep is caught up by the next run, which reads every "
    "account due by then; a missed digest is the day's: read the queue's messages for what failed",
}
FUNCTIONS = {"InvoiceUploadFailureQueue": "InvoiceUpload", "DeliveryEventsFailureQueue": "DeliveryEvents"}


def queue_named(name: str) -> str:
    """The template's logical id of the queue an operator named, or why it is not redriven."""
    logical_id = ALIASES.get(name, name)
    if logical_id in REDRIVEN:
        return logical_id
    if logical_id in NOT_REDRIVEN:
        raise Usage(f"{logical_id} is not redriven: {NOT_REDRIVEN[logical_id]}")
    raise Usage(f"no dead-letter queue {name!r}; redriven: notifications, {', '.join(REDRIVEN)}")


@dataclass
class Redriven:
    queue: str
    done: dict[str, int] = field(default_factory=dict)  # what was done -> how many messages
    left: int = 0
    text: str = ""

    def document(self) -> dict[str, Any]:
        return {"queue": self.queue, "done": self.done, "left": self.left}

    def line(self) -> str:
        if self.text:
            return self.text
        done = "; ".join(f"{count} {what}" for what, count in self.done.items() if count) or "nothing to redrive"
        left = f"; {self.left} left in the queue (not recognised)" if self.left else ""
        return f"{self.queue}: {done}{left}"


@dataclass(frozen=True)
class _Message:
    body: str
    receipt: str


def notifications(sqs: Any, dynamodb: Any, *, queue_url: str, table: str, now: datetime, limit: int) -> Redriven:
    from ponte.adapters.parking import DeadLetterQueue, ParkedNotifications  # noqa: PLC0415
    from ponte.services.outbox import redrive  # noqa: PLC0415

    result = redrive(DeadLetterQueue(queue_url, sqs), ParkedNotifications(table, dynamodb), now=now, limit=limit)
    return Redriven(
        "NotificationDeadLetterQueue",
        {"redriven": result.redriven, "already waiting": result.already_parked, "released": result.released},
        text=f"{result.redriven} notification(s) redriven, {result.already_parked} already waiting, "
        f"{result.released} released to the notifier",
    )


def collections_work(sqs: Any, *, queue_url: str, work_queue_url: str, now: datetime, limit: int) -> Redriven:
    """Each account back to the worker, as a job of this moment (`redrive:<utc>` names the run on its timeline)."""
    from pydantic import ValidationError  # noqa: PLC0415

    from ponte.adapters.dynamodb import utc_key  # noqa: PLC0415
    from ponte.adapters.work_queue import WorkQueue  # noqa: PLC0415
    from ponte.services.dunning import Job  # noqa: PLC0415

    messages = _receive(sqs, queue_url, limit)
    jobs: list[tuple[_Message, str]] = []
    unknown: list[_Message] = []
    for message in messages:
        try:
            job = Job.model_validate_json(message.body)
        except ValidationError:
            unknown.append(message)
            continue
        fresh = Job(account_id=job.account_id, now=now, run=f"redrive:{utc_key(now)}", flags=job.flags)
        jobs.append((message, fresh.model_dump_json()))
    try:
        WorkQueue(work_queue_url, sqs).send([body for _, body in jobs])
    except Exception:
        _release(sqs, queue_url, messages)
        raise
    _delete(sqs, queue_url, [message for message, _ in jobs])
    _release(sqs, queue_url, unknown)
    return Redriven(
        "DunningWorkDeadLetterQueue",
        {"account(s) sent back to DunningWorkQueue, to be evaluated as of now": len(jobs)},
        left=len(unknown),
    )


def invocations(
    sqs: Any,
    lambda_: Any,
    *,
    queue: str,
    queue_url: str,
    function: str | None,
    continuation_url: str | None,
    limit: int,
) -> Redriven:
    """Each failed event invoked again (asynchronously, as its trigger did), each continuation queued again."""
    messages = _receive(sqs, queue_url, limit)
    done: list[_Message] = []
    invoked = continued = 0
    unknown: list[_Message] = []
    try:
        for message in messages:
            document = _json(message.body)
            if continuation_url is not None and _is_continuation(document):
                sqs.send_message(QueueUrl=continuation_url, MessageBody=message.body)
                continued += 1
            elif (event := _event(document, function)) is not None:
                payload, target = event
                answer = lambda_.invoke(
                    FunctionName=target, InvocationType="Event", Payload=json.dumps(payload).encode()
                )
                if answer.get("StatusCode", 202) != 202 or answer.get("FunctionError"):
                    raise Failed(f"Lambda did not take the event for {target}: status {answer.get('StatusCode')}")
                invoked += 1
            else:
                unknown.append(message)
                continue
            done.append(message)
    finally:
        _delete(sqs, queue_url, done)
        _release(sqs, queue_url, [m for m in messages if m not in done])
    function_id = FUNCTIONS[queue]
    what = {f"event(s) invoked again ({function_id}, asynchronously)": invoked}
    if continuation_url is not None:
        what["continuation(s) sent back to InvoiceUploadContinuationQueue"] = continued
    return Redriven(queue, what, left=len(unknown))


def _event(document: Any, function: str | None) -> tuple[Any, str] | None:
    """The event and the function to give it to, from Lambda's on-failure record or from the event alone."""
    if not isinstance(document, dict):
        return None
    if "requestPayload" in document:
        target = function or str(document.get("requestContext", {}).get("functionArn") or "")
        if not target:
            raise Usage("the failure record names no function: name it (--function NAME)")
        return document["requestPayload"], target
    if isinstance(document.get("Records"), list):
        if not function:
            raise Usage("the queue holds events without Lambda's record: name the function (--function NAME)")
        return document, function
    return None


def _is_continuation(document: Any) -> bool:
    from pydantic import ValidationError  # noqa: PLC0415

    from ponte.domain.uploads import UploadProgress  # noqa: PLC0415

    if not isinstance(document, dict) or "upload" not in document:
        return False
    try:
        UploadProgress.model_validate(document)
    except ValidationError:
        return False
    return True


def _json(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _receive(sqs: Any, queue_url: str, limit: int) -> list[_Message]:
    found: list[_Message] = []
    while len(found) < limit:
        answer = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=min(10, limit - len(found)),
            VisibilityTimeout=VISIBILITY_SECONDS,
            WaitTimeSeconds=0,
        )
        messages = answer.get("Messages", [])
        if not messages:
            break
        found += [_Message(m["Body"], m["ReceiptHandle"]) for m in messages]
    return found


def _delete(sqs: Any, queue_url: str, messages: Sequence[_Message]) -> None:
    for start in range(0, len(messages), 10):
        chunk = messages[start : start + 10]
        entries = [{"Id": str(i), "ReceiptHandle": m.receipt} for i, m in enumerate(chunk)]
        failed = sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries).get("Failed", [])
        if failed:
            raise Failed(f"SQS kept {len(failed)} redriven message(s) in the queue: they may come back once more")


def _release(sqs: Any, queue_url: str, messages: Sequence[_Message]) -> None:
    """Visible again at once, for the next reader, instead of after the visibility timeout."""
    for start in range(0, len(messages), 10):
        chunk = messages[start : start + 10]
        entries = [{"Id": str(i), "ReceiptHandle": m.receipt, "VisibilityTimeout": 0} for i, m in enumerate(chunk)]
        sqs.change_message_visibility_batch(QueueUrl=queue_url, Entries=entries)
