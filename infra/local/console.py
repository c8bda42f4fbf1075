"""The staff console on the local stack, as CloudFront serves it: the static files of `console/` at `/`, the console's
`config.json` pointing at the embedded AWS's Cognito, and the staff API under `/staff` on the same origin.

`seed_staff` gives `make serve` (and the browser tests) a staff directory, Cognito users in the template's user pool
and a few accounts to find: what an operator does after `sam deploy` with the directory document and
`aws cognito-idp admin-create-user`.
"""

from __future__ import annotations

import json
import mimetypes
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infra.local.stack import LocalStack

CONSOLE = Path(__file__).resolve().parents[2] / "console"
# The business's identity, as its operator sets it after deploying: without it customer notices are held.
DOCUMENTS = {"BusinessIdentityParameter": (Path(__file__).parent / "business_example.json").read_text()}
_TYPES = {".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".html": "text/html"}
# What CloudFront's response headers policy adds in the template (ConsoleHeadersPolicy), so that the console is tried
# locally under the same rules.
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def console_config(stack: LocalStack, auth_endpoint: str) -> dict[str, str]:
    """What the console reads at start (`config.json`): the Cognito app client and where to sign in, the business's
    time zone; the staff API is on the console's own origin."""
    return {
        "client_id": str(stack.physical_id("StaffConsoleClient")),
        "auth_endpoint": auth_endpoint,
        "time_zone": stack.functions["StaffApi"].environment["BUSINESS_TIME_ZONE"],
        "api": "",
    }


def content_security_policy(auth_endpoint: str) -> str:
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {auth_endpoint.rstrip('/')}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


def static_file(path: str, config: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """A GET for the console's files; `/` is index.html. Only files directly in `console/`, nothing above it."""
    name = path.split("?", 1)[0].lstrip("/") or "index.html"
    headers = {**SECURITY_HEADERS, "content-security-policy": content_security_policy(config["auth_endpoint"])}
    if name == "config.json":
        return 200, {**headers, "content-type": "application/json"}, json.dumps(config).encode()
    file = CONSOLE / name
    if "/" in name or name.startswith(".") or not file.is_file():
        return 404, {"content-type": "text/plain; charset=utf-8"}, b"Not Found"
    kind = _TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    charset = "; charset=utf-8" if kind.startswith("text/") or kind == "application/json" else ""
    return 200, {**headers, "content-type": kind + charset, "cache-control": "no-cache"}, file.read_bytes()


@dataclass(frozen=True)
class Login:
    email: str
    password: str
    name: str
    groups: tuple[str, ...]


# A small team for the local console: Carla (admin, finance) sees every account; Ana (collections) sees her team's.
PEOPLE: tuple[dict[str, Any], ...] = (
    {"id": "carla", "name": "Carla Mendes", "email": "carla@ponte.local", "locale": "pt-BR", "teams": ["finance"]},
    {
        "id": "ana",
        "name": "Ana Souza",
        "email": "ana@ponte.local",
        "locale": "pt-BR",
        "teams": ["collections"],
        "manager": "carla",
    },
)
GROUPS = {"carla": ("admin",), "ana": ("collections",)}


def directory_document() -> str:
    return json.dumps(
        {
            "people": list(PEOPLE),
            "teams": [{"id": "collections", "name": "Cobrança"}, {"id": "finance", "name": "Financeiro"}],
            "assignment": {"default": {"strategy": "fixed", "person": "ana"}},
            "admins": ["carla"],
        }
    )


def add_user(stack: LocalStack, email: str, name: str, groups: tuple[str, ...], password: str) -> None:
    """A staff user as an admin creates one (`aws cognito-idp admin-create-user`), with a permanent password."""
    cognito = stack.client("cognito-idp")
    pool = stack.physical_id("StaffUserPool")
    cognito.admin_create_user(
        UserPoolId=pool,
        Username=email,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "name", "Value": name},
        ],
    )
    cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password=password, Permanent=True)
    for group in groups:
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName=group)


def new_password() -> str:
    """A fresh password the pool's policy accepts (12+ characters, upper and lower case, digits)."""
    return f"Pt{secrets.token_urlsafe(12)}7a"


def seed_staff(stack: LocalStack) -> dict[str, Login]:
    """The directory, one Cognito user per person (fresh passwords) and three accounts that owe something."""
    stack.client("ssm").put_parameter(
        Name=stack.physical_id("StaffDirectoryParameter"), Value=directory_document(), Type="String", Overwrite=True
    )
    logins = {}
    for person in PEOPLE:
        login = Login(person["email"], new_password(), person["name"], GROUPS[person["id"]])
        add_user(stack, login.email, login.name, login.groups, login.password)
        logins[person["id"]] = login
    _seed_accounts(stack)
    return logins


def _seed_accounts(stack: LocalStack) -> None:
    today = stack.now.date()
    for account_id, name, owner, days_late, cents in (
        ("padaria-estrela", "Padaria Estrela", "ana", 12, 150_000),
        ("mercado-sao-jorge", "Mercado São Jorge", "ana", 3, 48_990),
        ("oficina-do-ze", "Oficina do Zé", "carla", 35, 220_000),
    ):
        due = today - timedelta(days=days_late)
        open_with_invoice(stack, account_id, name, owner=owner, number=f"NF {1000 + days_late}", due=due, cents=cents)


def open_with_invoice(
    stack: LocalStack, account_id: str, name: str, *, owner: str, number: str, due: date, cents: int
) -> None:
    """An account in pt-BR with a contact (e-mail and phone) and one invoice, due for evaluation at once."""
    from ponte.adapters.dynamodb import DynamoStore  # noqa: PLC0415
    from ponte.domain.accounts import Contact, next_version  # noqa: PLC0415
    from ponte.domain.changes import AccountChange  # noqa: PLC0415
    from ponte.services.accounts import OpenAccount, opening_change  # noqa: PLC0415

    store = DynamoStore(stack.physical_id("Table"))
    email = f"financeiro@{account_id}.example"
    opening = opening_change(
        OpenAccount(
            account_id=account_id,
            name=name,
            locale="pt-BR",
            contact=Contact(name="Financeiro", email=email, phone="+5511988887777"),
            owner=owner,
        ),
        now=stack.now,
        staff_locale="pt-BR",
        source="console-seed",
    )
    store.commit(opening)
    references = (("email", email),)
    account = next_version(opening.account, next_evaluation_at=stack.now, references=references)
    store.commit(
        AccountChange(
            account=account,
            recorded_at=stack.now,
            expected_version=0,
            invoices=(_invoice(number, name, due, cents),),
            references=references,
        )
    )
    stack.settle()


def _invoice(number: str, customer: str, due: date, cents: int) -> Any:
    from ponte.domain.invoices import Installment, Invoice, InvoiceKind, Party, SourceFormat  # noqa: PLC0415
    from ponte.domain.ledger import InvoiceRecord  # noqa: PLC0415
    from ponte.domain.money import Money  # noqa: PLC0415

    amount = Money(amount=cents, currency="BRL")
    return InvoiceRecord(
        invoice=Invoice(
            key=f"erp::invoice:{number}",
            number=number,
            kind=InvoiceKind.INVOICE,
            issue_date=due - timedelta(days=30),
            currency="BRL",
            total=amount,
            installments=(Installment(number="1", due_date=due, amount=amount),),
            customer=Party(name=customer),
            source=SourceFormat.JSON,
        ),
        recorded_at=datetime.combine(due - timedelta(days=30), datetime.min.time(), UTC),
        origin="console-seed",
    )
