"""Staff API: the console's reads and actions under /staff/..., behind the HTTP API's JWT authorizer (payload 2.0).

The caller is who the verified token says (`requestContext.authorizer.jwt.claims`); `now` is the request's time.
Domain errors become answers in one place: 400 naming the field, 401, 403, 404, and 409 with the account as it is
now. Logs name the account and the action, never a contact.
The six routes are matched here on the event as a plain dict: Powertools' resolver would load its AppSync, OpenAPI
and every event source's modules on each cold start.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import asdict
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel

from ponte.domain.accounts import Locale
from ponte.domain.errors import ConcurrentModification, InvalidInput, NotFound
from ponte.services import staff_actions, staff_views
from ponte.services.staff import (
    Caller,
    Forbidden,
    InvalidField,
    StaffDeps,
    StaleView,
    Unauthenticated,
    caller_from_claims,
)
from ponte.settings import TimeZoneName, load_settings
from ponte.staff_wiring import StaffWiring

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
metrics = Metrics()
_EVENT: ContextVar[dict[str, Any]] = ContextVar("event")  # the request being answered
_ROUTES: list[tuple[str, re.Pattern[str], Callable[..., dict[str, Any]]]] = []


def _route(method: str, path: str) -> Callable[[Callable[..., dict[str, Any]]], Callable[..., dict[str, Any]]]:
    """`<name>` in `path` matches one path segment, handed to the view as the argument `name`."""
    pattern = re.compile("^" + re.sub(r"<(\w+)>", r"(?P<\1>[^/]+)", path) + "$")

    def register(view: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        _ROUTES.append((method, pattern, view))
        return view

    return register


class Settings(BaseModel):
    TABLE_NAME: str
    POLICY_PARAMETER: str
    BUSINESS_TIME_ZONE: TimeZoneName
    BUSINESS_COUNTRY: str
    DEFAULT_LOCALE: Locale
    STAFF_DIRECTORY_PARAMETER: str = ""  # empty: no staff directory (team members unknown, owners kept as named)


@cache
def _wiring() -> StaffWiring:
    s = load_settings(Settings)
    return StaffWiring(
        table_name=s.TABLE_NAME,
        policy_parameter=s.POLICY_PARAMETER,
        time_zone=s.BUSINESS_TIME_ZONE,
        country=s.BUSINESS_COUNTRY,
        locale=s.DEFAULT_LOCALE,
        directory_parameter=s.STAFF_DIRECTORY_PARAMETER,
    )


def _request() -> tuple[Caller, StaffDeps, datetime]:
    context = _EVENT.get()["requestContext"]
    now = datetime.fromtimestamp(context["timeEpoch"] / 1000, UTC)
    claims = ((context.get("authorizer") or {}).get("jwt") or {}).get("claims") or {}
    caller = _wiring().as_person(caller_from_claims(claims, context.get("requestId", "")), claims)
    return caller, _wiring().deps(now), now


def _query(name: str) -> str | None:
    value: str | None = (_EVENT.get().get("queryStringParameters") or {}).get(name)
    return value or None


def _body() -> dict[str, Any]:
    event = _EVENT.get()
    raw = event.get("body") or "{}"
    try:
        body = json.loads(base64.b64decode(raw) if event.get("isBase64Encoded") else raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise InvalidField("body", "must be a JSON object")
    return body


def _limit(default: int) -> int:
    raw = _query("limit")
    if raw is not None and not raw.isdigit():
        raise InvalidField("limit", "must be a number")
    return int(raw) if raw else default


@_route("GET", "/staff/accounts")
def search() -> dict[str, Any]:
    caller, deps, _ = _request()
    found = staff_views.search_accounts(_query("q") or "", caller, deps, cursor=_query("cursor"), limit=_limit(20))
    return {"accounts": [asdict(a) for a in found.accounts], "cursor": found.cursor}


@_route("GET", "/staff/book")
def book() -> dict[str, Any]:
    caller, deps, now = _request()
    filters = {name: _query(name) for name in ("owner", "team", "status", "age", "cursor")}
    page = staff_views.overdue_book(caller, deps, now=now, limit=_limit(50), **filters)
    return {"accounts": [line.model_dump(mode="json") for line in page.lines], "cursor": page.cursor}


@_route("GET", "/staff/accounts/<account_id>")
def account(account_id: str) -> dict[str, Any]:
    caller, deps, now = _request()
    return staff_views.account_view(account_id, caller, deps, now=now).model_dump(mode="json")


@_route("GET", "/staff/accounts/<account_id>/timeline")
def timeline(account_id: str) -> dict[str, Any]:
    caller, deps, _ = _request()
    entries, cursor = staff_views.timeline(account_id, caller, deps, cursor=_query("cursor"), limit=_limit(50))
    return {"timeline": [entry.model_dump(mode="json") for entry in entries], "cursor": cursor}


@_route("POST", "/staff/accounts/<account_id>/contact/reveal")
def reveal(account_id: str) -> dict[str, Any]:
    caller, deps, now = _request()
    reason = _body().get("reason")
    revealed = staff_views.reveal_contact(
        account_id, caller, deps, now=now, reason=str(reason)[:500] if reason else None
    )
    logger.info("contact revealed", extra={"account_id": account_id, "by": caller.subject})
    return revealed.model_dump(mode="json")


@_route("POST", "/staff/accounts/<account_id>/actions/<action>")
def act(account_id: str, action: str) -> dict[str, Any]:
    caller, deps, now = _request()
    request = staff_actions.parse_action(action, _body())
    view = staff_actions.act(account_id, action, request, caller, deps, now=now)
    logger.info("staff action", extra={"account_id": account_id, "action": action, "by": caller.subject})
    metrics.add_metric(name="StaffActions", unit=MetricUnit.Count, value=1)
    return view.model_dump(mode="json")


def _answer(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"content-type": "application/json"}, "body": json.dumps(body)}


def _refused(error: Exception) -> dict[str, Any]:
    """Every refusal becomes its answer here; anything else is a fault (a 500, with its trace in the logs)."""
    body: dict[str, Any] = {"error": str(error)}
    if isinstance(error, InvalidField):
        body["field"] = error.field
    if isinstance(error, StaleView):
        body["view"] = error.view.model_dump(mode="json") if error.view is not None else None
    status = next(status for kind, status in _STATUSES if isinstance(error, kind))
    return _answer(status, body)


_STATUSES: tuple[tuple[type[Exception], int], ...] = (
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (InvalidInput, 400),
    (ConcurrentModification, 409),
)


@metrics.log_metrics
@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    method = event["requestContext"]["http"]["method"]
    path = event["rawPath"]
    stage = event["requestContext"].get("stage", "$default")
    if stage != "$default" and path.startswith(f"/{stage}/"):
        path = path[len(stage) + 1 :]
    for verb, pattern, view in _ROUTES:
        if verb == method and (found := pattern.match(path)):
            token = _EVENT.set(event)
            try:
                # A path segment arrives percent-encoded (`loja%3A42`); the view takes the value it stands for.
                return _answer(200, view(**{name: unquote(value) for name, value in found.groupdict().items()}))
            except tuple(kind for kind, _ in _STATUSES) as refused:
                return _refused(refused)
            finally:
                _EVENT.reset(token)
    return _answer(404, {"error": "no such route"})
