"""The collections work queue: the sweep hands accounts to the worker through SQS, ten messages a call."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ponte.adapters.clients import LazyClient

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient

BATCH = 10  # SendMessageBatch takes at most 10 entries


class QueueRefused(Exception):
    """SQS refused some messages; the sweep fails, and its retry sends them again (the worker is idempotent)."""


class WorkQueue:
    """Sends messages to one queue. Implements the sweep's `WorkQueue` port."""

    def __init__(self, queue_url: str, client: SQSClient | None = None) -> None:
        self.queue_url = queue_url
        self._client = client

    client: LazyClient[SQSClient] = LazyClient("sqs")

    def send(self, bodies: Sequence[str]) -> int:
        """Send every body; returns how many SendMessageBatch calls it took."""
        calls = 0
        for start in range(0, len(bodies), BATCH):
            chunk = bodies[start : start + BATCH]
            answer = self.client.send_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "MessageBody": body} for i, body in enumerate(chunk)],
            )
            calls += 1
            failed = answer.get("Failed", [])
            if failed:
                codes = sorted({entry.get("Code", "?") for entry in failed})
                raise QueueRefused(f"SQS refused {len(failed)} of {len(chunk)} messages: {', '.join(codes)}")
        return calls
