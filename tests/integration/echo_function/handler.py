"""A function for the local stack's own tests: records each event it receives and answers with its route."""

import json
from typing import Any

RECEIVED: list[Any] = []


def lambda_handler(event: Any, context: Any) -> Any:
    RECEIVED.append(event)
    if isinstance(event, dict) and event.get("fail"):
        raise RuntimeError("asked to fail")
    return {
        "statusCode": 201,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"route": event.get("routeKey") if isinstance(event, dict) else None}),
    }
