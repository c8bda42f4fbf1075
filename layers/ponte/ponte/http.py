"""API Gateway's HTTP API (payload 2.0) for the functions behind it: the request read, the answer written, routes
matched and refusals turned into their status, each in one place.

The event is read as a plain dict: Powertools' event classes and its resolver would load their AppSync, OpenAPI and
every event source's modules on each cold start, for the few fields used here.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

JSON = dict[str, Any]  # a JSON object, as a request's body or an answer's


def answer(status: int, body: Mapping[str, Any], *, retry_after: int | None = None) -> JSON:
    """The function's answer: `body` as JSON with its status (and when to try again, for a 503)."""
    headers = {"content-type": "application/json"}
    if retry_after is not None:
        headers["retry-after"] = str(retry_after)
    return {"statusCode": status, "headers": headers, "body": json.dumps(body)}


@dataclass(frozen=True)
class HttpRequest:
    """The fields of an HTTP API event that the functions read."""

    event: Mapping[str, Any]
    path_parameters: Mapping[str, str]

    @classmethod
    def of(cls, event: Mapping[str, Any]) -> HttpRequest:
        return cls(event, event.get("pathParameters") or {})

    @property
    def context(self) -> Mapping[str, Any]:
        context: Mapping[str, Any] = self.event["requestContext"]
        return context

    @property
    def method(self) -> str:
        method: str = self.context["http"]["method"]
        return method

    @property
    def path(self) -> str:
        """The path without the stage's name, when the stage is not the default one."""
        path: str = self.event["rawPath"]
        stage = self.context.get("stage", "$default")
        return path[len(stage) + 1 :] if stage != "$default" and path.startswith(f"/{stage}/") else path

    @property
    def time(self) -> datetime:
        """When API Gateway received the request: the `now` of what it does."""
        return datetime.fromtimestamp(self.context["timeEpoch"] / 1000, UTC)

    @property
    def request_id(self) -> str:
        request_id: str = self.context.get("requestId", "")
        return request_id

    @property
    def source_ip(self) -> str | None:
        """The connection's address (API Gateway always sets it; a hand-made event may not)."""
        source: str | None = (self.context.get("http") or {}).get("sourceIp")
        return source

    @property
    def claims(self) -> Mapping[str, Any]:
        """The claims of the token the JWT authorizer verified (none without an authorizer)."""
        claims: Mapping[str, Any] = ((self.context.get("authorizer") or {}).get("jwt") or {}).get("claims") or {}
        return claims

    @property
    def headers(self) -> dict[str, str]:
        """The headers, names in lower case."""
        return {name.lower(): value for name, value in (self.event.get("headers") or {}).items()}

    @property
    def query(self) -> dict[str, str]:
        return dict(self.event.get("queryStringParameters") or {})

    def query_value(self, name: str) -> str | None:
        """The query parameter's value; None when it is absent or empty."""
        return self.query.get(name) or None

    @property
    def body(self) -> bytes:
        raw: str = self.event.get("body") or ""
        return base64.b64decode(raw) if self.event.get("isBase64Encoded") else raw.encode("utf-8")

    def json_object(self) -> JSON | None:
        """The body as a JSON object ({} when there is none); None when it is not one (or is nested deeper than the
        parser goes, which no body a route takes is)."""
        raw: str = self.event.get("body") or "{}"
        try:
            body = json.loads(base64.b64decode(raw) if self.event.get("isBase64Encoded") else raw)
        except (ValueError, RecursionError):
            return None
        return body if isinstance(body, dict) else None


class Router[C]:
    """Matches a request to its view by method and path; `<name>` in a path matches one segment, handed to the view
    decoded in `request.path_parameters` (a segment arrives percent-encoded: `loja%3A42` stands for `loja:42`). A
    view takes the request and what `resolve` is given for it (`C`: the function's ports).

    `refusals` maps each error a view may raise to its status, first match first: any other error is a fault (a
    500, with its trace in the logs). `refusal` writes a refusal's body.
    """

    def __init__(
        self,
        refusals: tuple[tuple[type[Exception], int], ...],
        refusal: Callable[[Exception], JSON] = lambda error: {"error": str(error)},
    ) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Callable[[HttpRequest, C], JSON]]] = []
        self._refusals = refusals
        self._refusal = refusal

    def route(
        self, method: str, path: str
    ) -> Callable[[Callable[[HttpRequest, C], JSON]], Callable[[HttpRequest, C], JSON]]:
        pattern = re.compile("^" + re.sub(r"<(\w+)>", r"(?P<\1>[^/]+)", path) + "$")

        def register(view: Callable[[HttpRequest, C], JSON]) -> Callable[[HttpRequest, C], JSON]:
            self._routes.append((method, pattern, view))
            return view

        return register

    def resolve(self, event: Mapping[str, Any], context: C) -> JSON:
        request = HttpRequest.of(event)
        method, path = request.method, request.path
        for verb, pattern, view in self._routes:
            if verb == method and (found := pattern.match(path)):
                parameters = {name: unquote(value) for name, value in found.groupdict().items()}
                try:
                    return answer(200, view(HttpRequest(event, parameters), context))
                except tuple(kind for kind, _ in self._refusals) as refused:
                    status = next(status for kind, status in self._refusals if isinstance(refused, kind))
                    return answer(status, self._refusal(refused))
        return answer(404, {"error": "no such route"})
