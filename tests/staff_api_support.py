"""Builders for the staff plane's tests: callers, an account in São Paulo that falls behind on one invoice, and the
collections ladder run day by day on the in-memory store, as the worker runs it.

Padaria Estrela owes R$ 1.500,00 due on Monday 9 November 2026. With the default policy (Brazilian business days;
20/11 is a national holiday): overdue notices on 10/11 and 16/11, the final warning on 24/11 naming 30/11 as the
deadline, suspension on 1/12.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ponte.calendar import business_holidays
from ponte.domain.accounts import AccountStatus
from ponte.domain.ledger import Ledger
from ponte.domain.policy import Policy, default_policy
from ponte.services.dunning import Collections, Job, evaluate_account
from ponte.services.staff import Caller, StaffDeps, group_visibility
from tests.collections_support import TZ, ZONE, account, invoice, local
from tests.memory_store import MemoryBook, MemoryLedgerStore

if TYPE_CHECKING:
    from collections.abc import Callable

    from infra.local import LocalStack

DUE = date(2026, 11, 9)
HOLIDAYS = business_holidays("BR", range(2025, 2028))
POLICY = default_policy()

ADMIN = Caller(subject="sub-admin", name="Carla Admin", username="carla", groups=frozenset({"admin"}), request_id="r1")
ANA = Caller(subject="sub-ana", name="Ana Souza", username="ana", groups=frozenset({"collections"}), request_id="r2")
BRUNO = Caller(subject="sub-bruno", name="Bruno Lima", username="bruno", groups=frozenset({"sales"}), request_id="r3")
FINANCE = Caller(
    subject="sub-fin", name="Fábio Finanças", username="fabio", groups=frozenset({"finance", "collections"})
)

TEAMS = {"collections": ("ana", "caio"), "sales": ("bruno",)}
PEOPLE = {"ana", "bruno", "caio", "carla", "fabio"}


class Staff:
    """An account on the in-memory store with its overdue book, and the staff plane's ports over them."""

    def __init__(self, *, policy: Policy = POLICY, **account_fields: Any) -> None:
        self.store = MemoryLedgerStore(notices_accepted=True)
        self.book = MemoryBook()
        self.policy = policy
        opened = account(
            "padaria",
            tax_id="12345678000195",
            references=(("tax_id", "12345678000195"), ("email", "joao@padaria.example")),
            **account_fields,
        )
        self.store.ledgers["padaria"] = Ledger(account=opened, invoices=(invoice("NF-1", DUE),))
        self.store.references.update(
            {("tax_id", "12345678000195"): "padaria", ("email", "joao@padaria.example"): "padaria"}
        )

    def deps(self, **overrides: Any) -> StaffDeps:
        settings: dict[str, Any] = {
            "store": self.store,
            "book": self.book,
            "policy": self.policy,
            "time_zone": TZ,
            "holidays": HOLIDAYS,
            "staff_locale": "pt-BR",
            "visibility": group_visibility(lambda team: TEAMS.get(team, ())),
            "known_owner": lambda owner: owner in PEOPLE,
            "members_of": lambda team: TEAMS.get(team, ()),
        }
        return StaffDeps(**{**settings, **overrides})

    def sweep(self, until: date, *, start: date | None = None, hour: int = 9) -> None:
        """Run the collections worker for the account every day at `hour` local time, through `until`."""
        day = start or self.today() + timedelta(days=1)
        while day <= until:
            self.evaluate(local(day, hour))
            day += timedelta(days=1)

    def evaluate(self, now: datetime, account_id: str = "padaria") -> None:
        deps = Collections(
            store=self.store,
            book=self.book,
            policy=self.policy,
            time_zone=TZ,
            holidays=HOLIDAYS,
            staff_locale="pt-BR",
        )
        evaluate_account(Job(account_id=account_id, now=now, run=now.isoformat()), deps)
        self._last = now

    def today(self) -> date:
        last = getattr(self, "_last", None)
        return last.astimezone(ZONE).date() if last else DUE - timedelta(days=5)

    def ledger(self, account_id: str = "padaria") -> Ledger:
        ledger = self.store.load_ledger(account_id)
        assert ledger is not None
        return ledger

    @property
    def status(self) -> AccountStatus:
        return self.ledger().account.status

    @property
    def version(self) -> int:
        return self.ledger().account.version

    def entries(self, what: str, account_id: str = "padaria") -> list[Any]:
        return [e for e in self.store.timeline if e.account_id == account_id and e.what == what]

    def alerts(self, kind: str) -> list[Any]:
        return [n for n in self.store.outbox if n.event_type == kind]


# The `search` index as the template is to declare it (see the staff API's report): until it does, the tests on the
# local stack add it to the table.
SEARCH_INDEX = {
    "IndexName": "search",
    "KeySchema": [
        {"AttributeName": "search_pk", "KeyType": "HASH"},
        {"AttributeName": "search_sk", "KeyType": "RANGE"},
    ],
    "Projection": {
        "ProjectionType": "INCLUDE",
        "NonKeyAttributes": ["account_id", "name", "status", "owner", "overdue_since", "suspended_at"],
    },
}


def with_search_index(stack: LocalStack) -> None:
    client, table = stack.client("dynamodb"), stack.physical_id("Table")
    indexes = client.describe_table(TableName=table)["Table"].get("GlobalSecondaryIndexes", [])
    if any(index["IndexName"] == "search" for index in indexes):
        return
    client.update_table(
        TableName=table,
        AttributeDefinitions=[
            {"AttributeName": "search_pk", "AttributeType": "S"},
            {"AttributeName": "search_sk", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexUpdates=[{"Create": SEARCH_INDEX}],
    )


class Quiet:
    """The staff API function's logger and metrics, unread in these tests."""

    def info(self, *args: Any, **kwargs: Any) -> None:
        pass

    def add_metric(self, **kwargs: Any) -> None:
        pass


class RoutesWiring:
    """The staff API's wiring over the in-memory store (`Staff`): the caller as the token names them, and the use
    cases' ports as `deps` makes them from the store (by default `Staff.deps()`)."""

    def __init__(self, staff: Staff, deps: Callable[[Staff], StaffDeps] | None = None) -> None:
        self.staff = staff
        self._deps = deps or (lambda staff: staff.deps())

    def as_person(self, caller: Caller, claims: Any) -> Caller:
        return caller

    def deps(self, now: Any) -> StaffDeps:
        return self._deps(self.staff)


def gateway_event(
    method: str,
    path: str,
    claims: dict[str, Any] | None,
    *,
    at: datetime,
    query: dict[str, str] | None = None,
    body: str | None = None,
    request_id: str = "req-1",
) -> dict[str, Any]:
    """A request as the HTTP API hands it to the staff function (payload 2.0, the JWT authorizer's claims)."""
    route, _, raw_query = path.partition("?")
    event: dict[str, Any] = {
        "version": "2.0",
        "rawPath": route,
        "rawQueryString": raw_query,
        "requestContext": {
            "http": {"method": method, "path": route},
            "requestId": request_id,
            "stage": "$default",
            "timeEpoch": int(at.timestamp() * 1000),
            "authorizer": {"jwt": {"claims": claims}},
        },
    }
    if query:
        event["queryStringParameters"] = query
    if body is not None:
        event["body"] = body
    return event
