"""The invoices bucket: uploaded objects read as streams, reports written, files moved once handled."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any, BinaryIO, cast

from ponte.adapters.clients import LazyClient
from ponte.domain.errors import NotFound

if TYPE_CHECKING:
    from botocore.exceptions import ClientError
    from mypy_boto3_s3.client import S3Client

    from ponte.domain.uploads import UploadedObject

# How S3 says an object or version is not there: `NoSuchKey`/`NoSuchVersion` on GET, a bare 404 on HEAD. Without
# s3:ListBucket on the bucket, S3 answers a missing key with 403 instead, which is not taken for a deletion.
_MISSING = frozenset({"NoSuchKey", "NoSuchVersion", "404", "NotFound"})


class UploadObjects:
    """Implements the `UploadObjects` port. Every read and copy names the object version the event named, so a
    newer upload of the same key is never mixed with the one being handled."""

    def __init__(self, client: S3Client | None = None) -> None:
        self._client = client

    client: LazyClient[S3Client] = LazyClient("s3")

    def open(self, upload: UploadedObject) -> BinaryIO:
        # The body is a stream over the HTTP response: the object is never held whole in memory.
        from botocore.exceptions import ClientError  # noqa: PLC0415

        try:
            if upload.version_id:
                answer = self.client.get_object(Bucket=upload.bucket, Key=upload.key, VersionId=upload.version_id)
            else:  # an unversioned bucket: refuse a newer object under the same key
                answer = self.client.get_object(Bucket=upload.bucket, Key=upload.key, IfMatch=f'"{upload.etag}"')
        except ClientError as error:
            if _missing(error):
                raise NotFound(f"object {upload.key} version {upload.version} is not in the bucket") from None
            raise
        return cast(BinaryIO, answer["Body"])

    def gone(self, upload: UploadedObject) -> bool:
        # A delete without a version id (the console's, the CLI's) leaves the version readable under a delete
        # marker: only the key's own answer tells that it was deleted. A newer upload of the same key is not a
        # deletion; the version is then looked at itself, in case it was deleted for good.
        from botocore.exceptions import ClientError  # noqa: PLC0415

        try:
            current = self.client.head_object(Bucket=upload.bucket, Key=upload.key)
            if upload.version_id is None or current.get("VersionId") == upload.version_id:
                return False
            self.client.head_object(Bucket=upload.bucket, Key=upload.key, VersionId=upload.version_id)
        except ClientError as error:
            if _missing(error):
                return True
            raise
        return False

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


def _missing(error: ClientError) -> bool:
    headers = error.response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    return error.response.get("Error", {}).get("Code") in _MISSING or headers.get("x-amz-delete-marker") == "true"
