"""The queue through which an upload too long for one run is continued by the next one."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient

    from ponte.domain.uploads import UploadProgress


class ContinuationQueue:
    """Implements the `Continuations` port: the progress, as JSON, is the message; the queue invokes the upload
    function again (its event source), and after its redrive limit sends the message to the failure queue."""

    def __init__(self, queue_url: str, client: SQSClient | None = None) -> None:
        self.queue_url = queue_url
        self._client = client

    @property
    def client(self) -> SQSClient:
        if self._client is None:
            import boto3  # noqa: PLC0415 - created on first use, not at import

            self._client = boto3.client("sqs")
        return self._client

    def send(self, progress: UploadProgress) -> None:
        self.client.send_message(QueueUrl=self.queue_url, MessageBody=progress.model_dump_json())
