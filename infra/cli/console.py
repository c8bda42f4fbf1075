"""`ponte console publish`: put the staff console's files in the stack's console bucket, with the `config.json` that
tells the console which Cognito app client to sign in with, and have CloudFront serve the new files at once.

The console has no build step: the files of `console/` go as they are. `config.json` is written from the stack (its
outputs and parameters) or from the names given; it holds no secret (an app client id is public by design).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONSOLE = Path(__file__).resolve().parents[2] / "console"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


@dataclass(frozen=True)
class Published:
    bucket: str
    files: tuple[str, ...]
    invalidation: str | None

    def line(self) -> str:
        served = f"; CloudFront invalidation {self.invalidation}" if self.invalidation else ""
        return f"console published: {len(self.files)} files to s3://{self.bucket}{served}"

    def document(self) -> dict[str, Any]:
        return {"bucket": self.bucket, "files": list(self.files), "invalidation": self.invalidation}


def config(*, client_id: str, region: str, time_zone: str) -> dict[str, str]:
    """What the console reads at start; the staff API is on the console's own origin (CloudFront's /staff/*)."""
    return {
        "client_id": client_id,
        "auth_endpoint": f"https://cognito-idp.{region}.amazonaws.com/",
        "time_zone": time_zone,
        "api": "",
    }


def publish(
    s3: Any,
    cloudfront: Any | None,
    *,
    bucket: str,
    settings: dict[str, str],
    distribution_id: str | None,
    source: Path = CONSOLE,
) -> Published:
    """Upload every file of `source` and `config.json`; then invalidate the distribution's cache, if one is named."""
    files = sorted(p for p in source.iterdir() if p.is_file() and not p.name.startswith("."))
    written = []
    for file in files:
        kind = TYPES.get(file.suffix, "application/octet-stream")
        s3.put_object(Bucket=bucket, Key=file.name, Body=file.read_bytes(), ContentType=kind, CacheControl="no-cache")
        written.append(file.name)
    body = json.dumps(settings, indent=1).encode()
    s3.put_object(Bucket=bucket, Key="config.json", Body=body, ContentType=TYPES[".json"], CacheControl="no-cache")
    written.append("config.json")
    invalidation = None
    if cloudfront is not None and distribution_id:
        answer = cloudfront.create_invalidation(
            DistributionId=distribution_id,
            InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": f"ponte-{time.time_ns()}"},
        )
        invalidation = answer["Invalidation"]["Id"]
    return Published(bucket=bucket, files=tuple(written), invalidation=invalidation)
