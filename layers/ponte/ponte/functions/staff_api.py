"""Staff API: the console's reads and actions under /staff/..., behind the HTTP API's JWT authorizer (payload 2.0).

The caller is who the verified token says (`requestContext.authorizer.jwt.claims`); `now` is the request's time.
Domain errors become answers in one place (`_REFUSALS`): 400 naming the field, 401, 403, 404, and 409 with the
account as it is now. Logs name the account and the action, never a contact.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit

from ponte.domain.errors import ConcurrentModification, InvalidInput, NotFound
from ponte.http import JSON, HttpRequest, Router
from ponte.services import staff_actions, staff_views
from ponte.services.staff import Forbidden, InvalidField, StaleView, Unauthenticated, caller_from_claims
from ponte.staff_wiring import StaffSettings, StaffWiring

if TYPE_CHECKING:
    from datetime import datetime

    from aws_lambda_powertools import Logger, Metrics

    from ponte.services.staff import Caller, StaffDeps
    from ponte.services.staff_views import AccountView

Settings = StaffSettings

__all__ = ["Settings", "StaffApi", "StaffWiring", "routes"]

_REFUSALS: tuple[tuple[type[Exception], int], ...] = (
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (InvalidInput, 400),
    (ConcurrentModification, 409),
)


def _refusal(error: Exception) -> JSON:
    body: dict[str, Any] = {"error": str(error)}
    if isinstance(error, InvalidField):
        body["field"] = error.field
    if isinstance(error, StaleView):
        body["view"] = error.view.model_dump(mode="json") if error.view is not None else None
    return body


@dataclass(frozen=True)
class StaffApi:
    """What the staff API's views use: the container's wiring and the function's logger and metrics."""

    wiring: StaffWiring
    logger: Logger
    metrics: Metrics

    def call(self, request: HttpRequest) -> tuple[Caller, StaffDeps, datetime]:
        """Who calls (as the staff directory knows them), the use cases' ports, and the request's time."""
        now = request.time
        caller = self.wiring.as_person(caller_from_claims(request.claims, request.request_id), request.claims)
        return caller, self.wiring.deps(now), now


routes: Router[StaffApi] = Router(_REFUSALS, _refusal)


def _body(request: HttpRequest) -> JSON:
    body = request.json_object()
    if body is None:
        raise InvalidField("body", "must be a JSON object")
    return body


def _limit(request: HttpRequest, default: int) -> int:
    raw = request.query_value("limit")
    if raw is None:
        return default
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    if not (raw.isascii() and raw.isdigit()):
        raise InvalidField("limit", "must be a number")
    digits = raw.lstrip("0") or "0"
    # int() refuses more than 4300 digits; nine are already past every page size, which the view then refuses.
    return int(digits) if len(digits) <= 9 else 10**9


def _reason(body: JSON) -> str | None:
    """A reveal's reason, as the history keeps it (at most 500 characters); None when none was given."""
    reason = body.get("reason")
    if reason is None:
        return None
    if not isinstance(reason, str) or not _utf8(reason):
        raise InvalidField("reason", "must be text")
    return reason.strip()[:500] or None


def _utf8(text: str) -> bool:
    """Whether the store can keep `text`: a lone surrogate (`"\\ud800"` in JSON) is not UTF-8, and boto3 fails."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


@routes.route("GET", "/staff/accounts")
def search(request: HttpRequest, api: StaffApi) -> JSON:
    caller, deps, _ = api.call(request)
    query = request.query_value("q") or ""
    found = staff_views.search_accounts(
        query, caller, deps, cursor=request.query_value("cursor"), limit=_limit(request, 20)
    )
    accounts = [{**asdict(a), "owner_name": found.owner_names.get(a.owner or "")} for a in found.accounts]
    return {"accounts": accounts, "cursor": found.cursor}


@routes.route("GET", "/staff/book")
def book(request: HttpRequest, api: StaffApi) -> JSON:
    caller, deps, now = api.call(request)
    page = staff_views.overdue_book(
        caller,
        deps,
        now=now,
        limit=_limit(request, 50),
        owner=request.query_value("owner"),
        team=request.query_value("team"),
        status=request.query_value("status"),
        age=request.query_value("age"),
        cursor=request.query_value("cursor"),
    )
    accounts = [line.model_dump(mode="json") for line in page.lines]
    return {"accounts": accounts, "cursor": page.cursor, "people": _filterable(request, caller, deps)}


def _filterable(request: HttpRequest, caller: Caller, deps: StaffDeps) -> list[dict[str, str]]:
    """With the book's first page, the people whose accounts the caller may filter it by, by name (none when that
    is only the caller, or without a directory): the console offers them by name, not an id to type."""
    if request.query_value("cursor") is not None:
        return []
    scope = deps.visibility(caller)
    people = [{"id": person_id, "name": name} for person_id, name in deps.people() if scope.allows(person_id)]
    return people if len(people) > 1 else []


@routes.route("GET", "/staff/accounts/<account_id>")
def account(request: HttpRequest, api: StaffApi) -> JSON:
    caller, deps, now = api.call(request)
    account_id = request.path_parameters["account_id"]
    return _with_actions(staff_views.account_view(account_id, caller, deps, now=now), caller, deps)


@routes.route("GET", "/staff/accounts/<account_id>/timeline")
def timeline(request: HttpRequest, api: StaffApi) -> JSON:
    caller, deps, _ = api.call(request)
    account_id = request.path_parameters["account_id"]
    entries, cursor = staff_views.timeline(
        account_id, caller, deps, cursor=request.query_value("cursor"), limit=_limit(request, 50)
    )
    return {"timeline": [entry.model_dump(mode="json") for entry in entries], "cursor": cursor}


@routes.route("POST", "/staff/accounts/<account_id>/contact/reveal")
def reveal(request: HttpRequest, api: StaffApi) -> JSON:
    caller, deps, now = api.call(request)
    account_id = request.path_parameters["account_id"]
    revealed = staff_views.reveal_contact(account_id, caller, deps, now=now, reason=_reason(_body(request)))
    api.logger.info("contact revealed", extra={"account_id": account_id, "by": caller.subject})
    return revealed.model_dump(mode="json")


@routes.route("POST", "/staff/accounts/<account_id>/actions/<action>")
def act(request: HttpRequest, api: StaffApi) -> JSON:
    caller, deps, now = api.call(request)
    account_id, action = request.path_parameters["account_id"], request.path_parameters["action"]
    parsed = staff_actions.parse_action(action, _body(request))
    view = staff_actions.act(account_id, action, parsed, caller, deps, now=now)
    api.logger.info("staff action", extra={"account_id": account_id, "action": action, "by": caller.subject})
    api.metrics.add_metric(name="StaffActions", unit=MetricUnit.Count, value=1)
    return _with_actions(view, caller, deps)


def _with_actions(view: AccountView, caller: Caller, deps: StaffDeps) -> JSON:
    """The account's view and the actions the caller's groups allow (`may`): the console offers those, not ones
    that would be refused with a 403 after the form is filled in; for one who may give the account to someone, the
    people it may be given to (`people`: the directory's active people, by name), to choose by name, not by id."""
    may = [action for action in staff_actions.INPUTS if caller.may(action)]
    people = [{"id": person_id, "name": name} for person_id, name in deps.people()] if "owner" in may else []
    return {**view.model_dump(mode="json"), "may": may, "people": people}
