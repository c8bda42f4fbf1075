"""The invoices bucket: uploaded objects read as streams, reports written, files moved once handled."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any, BinaryIO, cast

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

    from ponte.domain.uploads import UploadedObject


class UploadObjects:
    """Implements the `UploadObjects` port. Every read and copy names the object version the event named, so a
    newer upload of the same key is never mixed with the one being handled."""

    def __init__(self, client: S3Client | None = None) -> None:
        self._client = client

    @property
    def client(self) -> S3Client:
        if self._client is None:
            import boto3  # noqa: PLC0415 - created on first use, not at import

            self._client = boto3.client("s3")
        return self._client

    def open(self, upload: UploadedObject) -> BinaryIO:
        # The body is a stream over the HTTP response: the object is never held whole in memory.
        if upload.version_id:
            answer = self.client.get_object(Bucket=upload.bucket, Key=upload.key, VersionId=upload.version_id)
        else:  # an unversioned bucket: refuse a newer object under the same key
            answer = self.client.get_object(Bucket=upload.bucket, Key=upload.key, IfMatch=f'"{upload.etag}"')
        return cast(BinaryIO, answer["Body"])

    def put_report(self, bucket: str, key: str, body: IO[bytes]) -> None:
        self.client.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")

    def copy(self, upload: UploadedObject, destination: str) -> None:
        source: Any = {"Bucket": upload.bucket, "Key": upload.key}
        if upload.version_id:
            source["VersionId"] = upload.version_id
        self.client.copy_object(Bucket=upload.bucket, Key=destination, CopySource=source)

    def delete(self, upload: UploadedObject) -> None:
        # With a version id, exactly the version handled goes (a newer one uploaded meanwhile stays to be handled);
        # S3 answers a delete of a version already gone with success.
        if upload.version_id:
            self.client.delete_object(Bucket=upload.bucket, Key=upload.key, VersionId=upload.version_id)
        else:
            self.client.delete_object(Bucket=upload.bucket, Key=upload.key)
