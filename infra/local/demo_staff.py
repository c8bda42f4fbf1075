"""The demo's chapter on the front office: a staff member signs in with Cognito, records a promise to pay for an
overdue account and sees the plan move, and reactivates a suspended account by hand, all through the staff API behind
the HTTP API's JWT authorizer, as the console does."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infra.local.demo import Printer
    from infra.local.stack import LocalStack

ACCOUNT_ID = "emporio-das-flores"
NAME = "Empório das Flores"
SUSPENDED = "bar-do-leo"  # suspended in chapter 5
LEO_PHONE = "+5511955554444"
STEP_WORDS = {
    "reminder": "lembrete",
    "overdue_notice": "aviso de atraso",
    "final_warning": "aviso final",
    "suspend": "suspensão",
    "hand_off": "encaminhar para cobrança",
}


class StaffApi:
    """The staff API as the console calls it: a Cognito ID token in `Authorization`, JSON in and out."""

    def __init__(self, stack: LocalStack, token: str) -> None:
        self.stack = stack
        self.token = token

    def __call__(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        headers = {"authorization": f"Bearer {self.token}", "content-type": "application/json"}
        status, _, answer = self.stack.http(method, path, headers=headers, body=json.dumps(body or {}))
        return status, json.loads(answer)


def chapter_staff(stack: LocalStack, out: Printer) -> None:
    """Ana (collections) acts on an account from the console's API; her name is in its history."""
    from infra.local.console import PEOPLE, add_user, directory_document, new_password, open_with_invoice  # noqa: PLC0415
    from infra.local.demo import ZONE, check  # noqa: PLC0415

    out.chapter("6. The front office answers back: a promise to pay and a reactivation by hand")
    ana = next(p for p in PEOPLE if p["id"] == "ana")
    stack.client("ssm").put_parameter(
        Name=stack.physical_id("StaffDirectoryParameter"), Value=directory_document(), Type="String", Overwrite=True
    )
    password = new_password()
    add_user(stack, ana["email"], ana["name"], ("collections",), password)
    out.line(f"the staff directory is set; {ana['name']} is a Cognito user in the group collections")

    today = stack.now.astimezone(ZONE).date()
    open_with_invoice(
        stack, ACCOUNT_ID, NAME, owner="ana", number="NF 2231", due=today + timedelta(days=2), cents=89_900
    )
    out.line(f"{NAME} owes NF 2231, R$ 899,00, due {today + timedelta(days=2):%d/%m/%Y}; owner: ana")
    api = StaffApi(stack, _sign_in(stack, ana["email"], password))
    for _ in range(20):
        stack.advance(days=1)
        if api("GET", f"/staff/accounts/{ACCOUNT_ID}")[1]["status"] == "overdue":
            break
    status, view = api("GET", f"/staff/accounts/{ACCOUNT_ID}")
    check(status == 200 and view["status"] == "overdue", f"{NAME} fell behind")
    out.line(f"{stack.now.astimezone(ZONE):%a %d/%m}: {NAME} is overdue; the customer calls, Ana opens the account")
    out.line(f"  plan before: {_plan(view)}")
    check(api("GET", "/staff/accounts/tienda-sol")[0] == 404, "an account outside Ana's book is not shown")

    until = stack.now.astimezone(ZONE).date() + timedelta(days=7)
    body = {"expected_version": view["version"], "reason": "Cliente prometeu pagar por Pix", "until": str(until)}
    status, promised = api("POST", f"/staff/accounts/{ACCOUNT_ID}/actions/promise_to_pay", body)
    check(status == 200, f"the promise is recorded: {promised}")
    out.line(f"  Ana records a promise to pay until {until:%d/%m/%Y}; plan after: {_plan(promised)}")
    check(_plan(promised) != _plan(view), "the plan moved past the promise")
    note = {"expected_version": view["version"], "reason": "ligar amanhã"}
    stale = api("POST", f"/staff/accounts/{ACCOUNT_ID}/actions/note", note)
    check(stale[0] == 409, "a write based on the view before the promise is refused with the current view")
    out.line(f"  a second tab still showing the old version gets {stale[0]} and the account as it is now")

    before = len(stack.sms(LEO_PHONE))
    status, leo = api("GET", f"/staff/accounts/{SUSPENDED}")
    check(status == 200 and leo["status"] == "suspended", "Bar do Léo is still suspended (chapter 5)")
    body = {"expected_version": leo["version"], "reason": "Combinado com o gerente: paga na sexta"}
    status, reactivated = api("POST", f"/staff/accounts/{SUSPENDED}/actions/reactivate", body)
    check(status == 200 and reactivated["status"] == "overdue", f"reactivated at once: {reactivated.get('status')}")
    out.line("  Ana reactivates Bar do Léo by hand: back at once, still owing (no payment is pretended)")
    [entry] = [e for e in reactivated["timeline"] if e["what"] == "staff.reactivate"]
    out.line(f"    history: staff.reactivate by {entry['facts']['by_name']}: {entry['why']}")
    check(entry["facts"]["by_name"] == ana["name"], "the history names Ana")
    stack.settle()
    told = [t.text for t in stack.sms(LEO_PHONE)[before:]]
    for text in told:
        out.line(f"  SMS to the customer: {text}")
    check(any("reativ" in text.lower() for text in told), "the customer is told the service is back")


def _sign_in(stack: LocalStack, email: str, password: str) -> str:
    answer = stack.client("cognito-idp").initiate_auth(
        ClientId=stack.physical_id("StaffConsoleClient"),
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    return str(answer["AuthenticationResult"]["IdToken"])


def _plan(view: dict[str, Any]) -> str:
    steps = view["plan"]["steps"]
    return "; ".join(f"{STEP_WORDS[s['kind']]} em {s['on'][8:10]}/{s['on'][5:7]}" for s in steps) or "nada previsto"
