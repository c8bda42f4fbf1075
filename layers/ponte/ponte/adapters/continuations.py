"""The queue through which an upload too long for one run is continued by the next one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ponte.adapters.clients import LazyClient

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient

    from ponte.domain.uploads import UploadProgress


class ContinuationQueue:
    """Implements the `Continuations` port: the progress, as JSON, is the message; the queue invokes the upload
    function again (its event source), and after its redrive limit sends the message to the failure queue."""

    def __init__(self, queue_url: str, client: SQSClient | None = None) -> None:
        self.queue_url = queue_url
        self._client = client

    client: LazyClient[SQSClient] = LazyClient("sqs")

    def send(self, progress: UploadProgress) -> None:
        self.client.send_message(QueueUrl=self.queue_url, MessageBody=progress.model_dump_json())
