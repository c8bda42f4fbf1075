"""The staff console on a phone, as an account manager meets it after an alert: Debian's Chromium, headless, at a
phone's width, driving the console's own files against the staff API's routes over the in-memory store (Padaria
Estrela, suspended on 1 December 2026, as `tests.staff_api_support` tells) and a Cognito that answers as the real
one does. No stack to start: each test sets the account up as the alert finds it.

The token the fake Cognito hands out is not signed; the routes read its claims as the HTTP API's authorizer hands
them over, and refuse it (401) once it has expired, as the authorizer does.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import pytest

from infra.local.console import static_file
from ponte.domain.accounts import AccountStatus
from ponte.domain.dunning import SentNotice
from ponte.domain.invoices import SourceFormat
from ponte.domain.ledger import Ledger
from ponte.functions.staff_api import StaffApi, routes
from ponte.services import staff_actions
from ponte.services.staff import StaffDeps
from tests.browser_support import needs_chromium, page_wait, phone_browser
from tests.collections_support import account, invoice, local, payment
from tests.staff_api_support import ANA, DUE, Quiet, RoutesWiring, Staff, gateway_event

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as shown  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

if TYPE_CHECKING:
    from selenium.webdriver import Chrome

pytestmark = needs_chromium

PHONE = (360, 760)  # CSS pixels: a small phone
NOW = local(date(2026, 12, 1), 10)
DIRECTORY = {"ana": "Ana Souza", "carla": "Carla Mendes", "caio": "Caio Prado"}
NFE_KEY = "nfe:35261112345678000195550010000474281000474280"


def claims_of(name: str) -> dict[str, Any]:
    people = {
        "ana": {"sub": "sub-ana", "name": "Ana Souza", "cognito:username": "ana", "cognito:groups": ["collections"]},
        "carla": {"sub": "sub-carla", "name": "Carla Mendes", "cognito:username": "carla", "cognito:groups": ["admin"]},
    }
    return people[name]


def token(claims: dict[str, Any], *, lifetime: float = 3600) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part({**claims, 'exp': int(time.time() + lifetime)})}.x"


def with_directory(staff: Staff) -> StaffDeps:
    """The use cases' ports, the directory naming Ana, Carla and Caio."""
    people = tuple(sorted(DIRECTORY.items(), key=lambda person: person[1]))
    return staff.deps(person_name=DIRECTORY.get, people=lambda: people)


class Console:
    """The console's files and the staff API on one origin, and Cognito's endpoint beside them."""

    def __init__(self) -> None:
        self.staff = Staff()
        self.requests: list[tuple[str, str, Any]] = []
        self.failing: set[str] = set()  # paths (prefixes) the staff API fails on, as a function that timed out
        self.cognito: Callable[[str, dict[str, Any]], tuple[int, dict[str, Any]]] = lambda target, body: (
            400,
            {"__type": "NotAuthorizedException"},
        )
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.config = {"client_id": "console", "auth_endpoint": f"{self.url}/cognito", "time_zone": "America/Sao_Paulo"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        console = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self._answer()

            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length).decode() if length else None
                if self.path.startswith("/staff"):
                    status, headers, body = console.staff_api(self.command, self.path, self.headers, raw)
                elif self.path == "/cognito":
                    target = str(self.headers.get("x-amz-target", "")).rsplit(".", 1)[-1]
                    status, answer = console.cognito(target, json.loads(raw or "{}"))
                    headers, body = {"content-type": "application/x-amz-json-1.1"}, json.dumps(answer).encode()
                else:
                    status, headers, body = static_file(self.path, console.config)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def staff_api(self, method: str, path: str, headers: Any, raw: str | None) -> tuple[int, dict[str, str], bytes]:
        bearer = str(headers.get("authorization", "")).removeprefix("Bearer ")
        try:
            claims = json.loads(base64.urlsafe_b64decode(bearer.split(".")[1] + "==="))
        except (IndexError, ValueError):
            claims = None
        json_headers = {"content-type": "application/json"}
        if claims is None or claims["exp"] < time.time():
            return 401, json_headers, b'{"message":"Unauthorized"}'
        self.requests.append((method, path, json.loads(raw) if raw else None))
        if any(path.startswith(prefix) for prefix in self.failing):
            return 502, json_headers, b'{"message":"Internal Server Error"}'  # as API Gateway answers a failure
        _, _, query = path.partition("?")
        event = gateway_event(
            method,
            path,
            claims,
            at=NOW,
            query=dict(parse_qsl(query)) if query else None,
            body=raw,
            request_id=f"req-{len(self.requests)}",
        )
        wiring = RoutesWiring(self.staff, with_directory)
        answer = routes.resolve(event, StaffApi(wiring, Quiet(), Quiet()))  # type: ignore[arg-type]
        return answer["statusCode"], json_headers, answer["body"].encode()

    def posted(self, action: str) -> list[Any]:
        return [body for method, path, body in self.requests if method == "POST" and path.endswith(f"/{action}")]


@pytest.fixture
def console() -> Iterator[Console]:
    served = Console()
    thread = threading.Thread(target=served.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        served.server.shutdown()
        served.server.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chrome]:
    with phone_browser(tmp_path_factory.mktemp("chromium"), PHONE, language="pt-BR") as driver:
        yield driver


def wait(driver: Chrome, seconds: float = 45) -> WebDriverWait[Any]:
    """Waits for what the page must come to; generous, as `make test` runs beside other work on two cores (a wait
    ends as soon as the page is there)."""
    return page_wait(driver, seconds)


def text_of(driver: Chrome, css: str) -> str:
    return str(wait(driver).until(shown.visibility_of_element_located((By.CSS_SELECTOR, css))).text)


def open_as(
    driver: Chrome, console: Console, who: str, where: str, *, locale: str = "pt-BR", token_lifetime: float = 3600
) -> None:
    """The console at `where` (an alert e-mail's link), `who` signed in: the tab believes for an hour more, the
    token for `token_lifetime` seconds (less: the phone's clock runs behind the authorizer's)."""
    session = {"token": token(claims_of(who), lifetime=token_lifetime), "name": claims_of(who)["name"]}
    session["expires"] = int((time.time() + 3600) * 1000)
    in_the_origin(driver, console)
    driver.execute_script(
        "sessionStorage.setItem('ponte.session', arguments[0]); localStorage.setItem('ponte.locale', arguments[1])",
        json.dumps(session),
        locale,
    )
    driver.get(console.url + "/" + where)


def in_the_origin(driver: Chrome, console: Console) -> None:
    """A page of the console's origin that runs nothing (its config file), where the tab's storage is written: the
    console's next load reads it whole. Written under a console still starting, it could be read half-way (the page
    opening the account, taking a kept form or following a merge before the reload, leaving nothing to show)."""
    driver.get(console.url + "/config.json")


def suspended(console: Console) -> None:
    console.staff.sweep(date(2026, 12, 1))


def merged_since(console: Console) -> None:
    """`padaria-2`, an account of the same customer, merged into `padaria` since an alert linked to it."""
    merged = account("padaria-2", name="Padaria Estrela Ltda", owner="ana").model_copy(
        update={"merged_into": "padaria"}
    )
    console.staff.store.ledgers["padaria-2"] = Ledger(account=merged)


def with_invoices(console: Console, *records: Any) -> None:
    ledger = console.staff.ledger()
    console.staff.store.ledgers["padaria"] = ledger.model_copy(update={"invoices": (*ledger.invoices, *records)})


def nfe(key: str, number: str, due: date, cents: int = 150_000) -> Any:
    record = invoice(key, due, cents)
    return record.model_copy(
        update={"invoice": record.invoice.model_copy(update={"number": number, "source": SourceFormat.NFE})}
    )


def numbered(key: str, number: str, due: date, cents: int = 10_000) -> Any:
    record = invoice(key, due, cents)
    return record.model_copy(update={"invoice": record.invoice.model_copy(update={"number": number})})


def choose_action(driver: Chrome, action: str) -> None:
    wait(driver).until(shown.presence_of_element_located((By.ID, "action")))
    Select(driver.find_element(By.ID, "action")).select_by_value(action)
    wait(driver).until(shown.visibility_of_element_located((By.CSS_SELECTOR, "#act textarea[name=reason]")))


def record(driver: Chrome, reason: str) -> None:
    driver.find_element(By.CSS_SELECTOR, "#act textarea[name=reason]").send_keys(reason)
    driver.find_element(By.CSS_SELECTOR, "#act button[type=submit]").click()


def offered(driver: Chrome) -> set[str]:
    wait(driver).until(shown.presence_of_element_located((By.ID, "action")))
    options = Select(driver.find_element(By.ID, "action")).options
    return {str(o.get_attribute("value")) for o in options if o.get_attribute("value")}


def fits_the_phone(driver: Chrome) -> bool:
    return bool(driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"))


# Acting: what is offered is what may be done.


def test_the_actions_offered_are_those_the_readers_groups_allow(browser: Chrome, console: Console) -> None:
    suspended(console)

    open_as(browser, console, "ana", "#/account/padaria")  # collections: no write-off, no owner
    ana = offered(browser)
    open_as(browser, console, "carla", "#/account/padaria")  # admin
    carla = offered(browser)

    assert {"write_off", "owner"} & ana == set()
    assert {"promise_to_pay", "dispute", "exempt", "reactivate", "offline_payment", "contact", "note"} <= ana
    assert {"write_off", "owner", "reactivate"} <= carla


def test_an_account_with_no_invoices_offers_only_what_it_admits(browser: Chrome, console: Console) -> None:
    opened = account("novo", name="Quitanda Nova", owner="ana")
    console.staff.store.ledgers["novo"] = Ledger(account=opened)

    open_as(browser, console, "ana", "#/account/novo")

    assert "Nenhuma fatura." in text_of(browser, "#invoices")
    assert offered(browser) == {"exempt", "offline_payment", "contact", "note"}
    assert fits_the_phone(browser)


# What is typed is what is recorded.


@pytest.mark.parametrize(
    ("locale", "typed", "minor"),
    [
        ("pt-BR", "1500.50", 150_050),
        ("pt-BR", "1.500,50", 150_050),
        ("pt-BR", "1.500", 150_000),
        ("en", "1500,5", 150_050),
    ],
)
def test_an_amount_is_read_as_the_reader_means_it(
    browser: Chrome, console: Console, locale: str, typed: str, minor: int
) -> None:
    suspended(console)
    open_as(browser, console, "ana", "#/account/padaria", locale=locale)
    choose_action(browser, "offline_payment")

    browser.find_element(By.CSS_SELECTOR, "#act input[name=amount]").send_keys(typed)
    record(browser, "Pix on the phone")
    wait(browser).until(lambda _: console.posted("offline_payment"))

    [body] = console.posted("offline_payment")
    assert body["amount"] == {"amount": minor, "currency": "BRL"}


def test_an_amount_with_more_decimals_than_the_currency_is_refused_before_it_is_sent(
    browser: Chrome, console: Console
) -> None:
    suspended(console)
    open_as(browser, console, "ana", "#/account/padaria")
    choose_action(browser, "offline_payment")

    browser.find_element(By.CSS_SELECTOR, "#act input[name=amount]").send_keys("1500,505")
    record(browser, "Pix")

    assert text_of(browser, "#flash") == "Verifique o campo «Valor»."
    assert console.posted("offline_payment") == []


# Reading: names as people know them, words in the reader's language.


def test_search_names_each_owner_as_the_directory_does(browser: Chrome, console: Console) -> None:
    open_as(browser, console, "ana", "#/?q=pada")

    results = text_of(browser, "#results ul")

    assert "Padaria Estrela" in results and "Ana Souza" in results
    assert "· ana" not in results


def test_an_admin_gives_the_account_to_someone_chosen_by_name(browser: Chrome, console: Console) -> None:
    suspended(console)
    open_as(browser, console, "carla", "#/account/padaria")

    choose_action(browser, "owner")
    chooser = Select(browser.find_element(By.CSS_SELECTOR, "#act select[name=owner]"))
    assert [o.text for o in chooser.options if o.get_attribute("value")] == ["Ana Souza", "Caio Prado", "Carla Mendes"]
    chooser.select_by_visible_text("Caio Prado")
    record(browser, "Caio atende a região")

    wait(browser).until(lambda driver: console.posted("owner"))
    assert console.posted("owner")[-1]["owner"] == "caio"


def test_an_alert_is_acknowledged_with_a_reason_typed_in_the_page_not_in_a_dialog(
    browser: Chrome, console: Console
) -> None:
    suspended(console)  # the suspension's alert to Ana, to acknowledge
    open_as(browser, console, "ana", "#/account/padaria")
    # A mail app's in-app browser may block dialogs: none may be needed.
    browser.execute_script("window.prompt = () => { throw new Error('a dialog was asked for'); };")

    wait(browser).until(shown.element_to_be_clickable((By.CSS_SELECTOR, "#alerts button.small"))).click()
    asked = wait(browser).until(shown.visibility_of_element_located((By.CSS_SELECTOR, "#alerts form.ask textarea")))
    asked.send_keys("Falei com o cliente")
    browser.find_element(By.CSS_SELECTOR, "#alerts form.ask button[type=submit]").click()

    wait(browser).until(lambda driver: console.posted("acknowledge"))
    (sent,) = console.posted("acknowledge")
    assert sent["reason"] == "Falei com o cliente" and sent["notification_id"]
    assert "Ana Souza" in text_of(browser, "#alerts")  # acknowledged by her, as the view after it says


def test_older_history_that_fails_to_come_says_so_and_can_be_asked_for_again(browser: Chrome, console: Console) -> None:
    suspended(console)
    for n in range(55):  # more than one page of history
        body = {"expected_version": console.staff.version, "reason": f"Ligação {n + 1}"}
        request = staff_actions.parse_action("note", body)
        staff_actions.act("padaria", "note", request, ANA, console.staff.deps(), now=NOW + timedelta(minutes=n))
    open_as(browser, console, "ana", "#/account/padaria")
    console.failing.add("/staff/accounts/padaria/timeline")

    more = wait(browser).until(shown.element_to_be_clickable((By.CSS_SELECTOR, "#timeline button.link")))
    more.click()

    assert text_of(browser, "#flash").startswith("Não foi possível concluir")
    wait(browser).until(lambda driver: driver.find_element(By.CSS_SELECTOR, "#timeline button.link").is_enabled())
    shown_before = len(browser.find_elements(By.CSS_SELECTOR, "#timeline-lines li"))
    console.failing.clear()
    browser.find_element(By.CSS_SELECTOR, "#timeline button.link").click()
    wait(browser).until(lambda driver: len(driver.find_elements(By.CSS_SELECTOR, "#timeline-lines li")) > shown_before)
    assert not browser.find_elements(By.CSS_SELECTOR, "#timeline button.link"), "the last page is in: no more to ask"


def test_a_book_line_without_a_date_it_fell_behind_says_nothing_of_one(browser: Chrome, console: Console) -> None:
    suspended(console)
    book = console.staff.book
    book.keep("padaria", AccountStatus.SUSPENDED, None, owner="ana", overdue_since=None)  # written before the date

    open_as(browser, console, "ana", "#/book")

    line = text_of(browser, "#book ul li")
    assert "Padaria Estrela" in line and "Ana Souza" in line
    assert "Em atraso desde" not in line, line


def test_holds_set_by_hand_read_in_the_readers_language(browser: Chrome, console: Console) -> None:
    console.staff = Staff(never_suspend=True, promise_to_pay_until=date(2026, 11, 20))
    console.staff.sweep(date(2026, 11, 25))

    open_as(browser, console, "ana", "#/account/padaria")
    holds = text_of(browser, "#holds")

    assert "set by hand" not in holds
    assert "Nunca suspender · registro manual na conta" in holds
    assert "Promessa de pagamento · Até 20/11/2026 · registro manual na conta" in holds


def test_a_dispute_names_the_invoice_as_the_customer_knows_it(browser: Chrome, console: Console) -> None:
    with_invoices(console, nfe(NFE_KEY, "47428", DUE + timedelta(days=2), 80_000))
    suspended(console)
    open_as(browser, console, "carla", "#/account/padaria", locale="es")
    choose_action(browser, "dispute")

    Select(browser.find_element(By.CSS_SELECTOR, "#act select[name=invoice_key]")).select_by_visible_text("NF-e 47428")
    until = browser.find_element(By.CSS_SELECTOR, "#act input[name=until]")
    browser.execute_script("arguments[0].value = '2026-12-20'", until)
    record(browser, "El cliente dice que no recibió la mercadería")

    assert text_of(browser, "#flash") == "Registrado."
    assert "NF-e 47428" in text_of(browser, "#holds")
    [entry] = [line for line in text_of(browser, "#timeline").splitlines() if "disputa" in line.lower()]
    assert "NF-e 47428" in entry and "20 dic 2026" in entry
    assert "nfe:" not in browser.find_element(By.ID, "main").text


def test_a_payment_recorded_by_staff_is_told_in_the_history_with_its_amount(browser: Chrome, console: Console) -> None:
    suspended(console)
    open_as(browser, console, "ana", "#/account/padaria")
    choose_action(browser, "offline_payment")
    browser.find_element(By.CSS_SELECTOR, "#act input[name=amount]").send_keys("500")
    record(browser, "Pix no balcão")

    assert text_of(browser, "#flash") == "Registrado."
    [entry] = [line for line in text_of(browser, "#timeline").splitlines() if "Registrar pagamento" in line]
    assert "R$ 500,00" in entry.replace("\u00a0", " ") and "Pix" in entry
    assert "BRL" not in entry


def test_many_invoices_show_what_is_owed_first(browser: Chrome, console: Console) -> None:
    # Two years of monthly invoices, all paid but the last one's; the open one is the newest.
    paid = [numbered(f"erp::invoice:{n:04d}", f"2-{n:04d}", DUE - timedelta(days=30 * n)) for n in range(1, 40)]
    with_invoices(console, *paid)
    ledger = console.staff.ledger()
    payments = tuple(
        payment(f"p{n}", 10_000, NOW - timedelta(days=30 * n + 1), f"erp::invoice:{n:04d}") for n in range(1, 40)
    )
    console.staff.store.ledgers["padaria"] = ledger.model_copy(update={"payments": payments})
    suspended(console)

    open_as(browser, console, "ana", "#/account/padaria")
    first = text_of(browser, "#invoices ul.lines > li")

    assert first.startswith("NF-1") and "em aberto" in first
    closed = browser.find_element(By.CSS_SELECTOR, "#invoices details")
    assert closed.get_attribute("open") is None and "(39)" in closed.text
    closed.click()
    paid_one = closed.find_element(By.CSS_SELECTOR, "li").text
    assert "paga" in paid_one and "atraso" not in paid_one and "erp::" not in paid_one
    assert fits_the_phone(browser)


# Refusals, in the reader's language, where the reader is looking.


def test_a_refused_field_is_named_and_focused(browser: Chrome, console: Console) -> None:
    suspended(console)
    open_as(browser, console, "ana", "#/account/padaria")
    choose_action(browser, "promise_to_pay")
    until = browser.find_element(By.CSS_SELECTOR, "#act input[name=until]")
    browser.execute_script("arguments[0].value = '2026-11-02'", until)  # in the past
    record(browser, "Cliente prometeu")

    assert text_of(browser, "#flash") == "Verifique o campo «Até»."
    until = browser.find_element(By.CSS_SELECTOR, "#act input[name=until]")
    assert until.get_attribute("aria-invalid") == "true"
    assert browser.switch_to.active_element == until


def test_someone_elses_change_is_shown_with_the_account_as_it_is_now(browser: Chrome, console: Console) -> None:
    suspended(console)
    open_as(browser, console, "ana", "#/account/padaria")
    text_of(browser, "#account")
    staff_actions.act(
        "padaria",
        "note",
        staff_actions.parse_action("note", {"expected_version": console.staff.version, "reason": "Ligação"}),
        ANA,
        with_directory(console.staff),
        now=NOW,
    )
    choose_action(browser, "note")
    record(browser, "Outra nota")

    assert text_of(browser, "#flash").startswith("Outra pessoa alterou esta conta")
    assert "Ligação" in text_of(browser, "#timeline")


def test_an_alert_link_to_an_account_merged_since_opens_the_one_it_is_part_of(
    browser: Chrome, console: Console
) -> None:
    suspended(console)
    merged_since(console)

    open_as(browser, console, "ana", "#/account/padaria-2")

    assert "Padaria Estrela" in text_of(browser, "#account")
    assert "unida" in text_of(browser, "#flash")
    assert browser.execute_script("return location.hash") == "#/account/padaria"


# Signing in.


def test_an_expired_session_asks_for_a_login_and_comes_back_to_the_account(browser: Chrome, console: Console) -> None:
    suspended(console)
    console.cognito = lambda target, body: (200, {"AuthenticationResult": {"IdToken": token(claims_of("ana"))}})
    open_as(browser, console, "ana", "#/account/padaria", token_lifetime=-5)  # the authorizer says it expired

    assert text_of(browser, "#flash") == "Sua sessão expirou. Entre de novo."
    browser.find_element(By.CSS_SELECTOR, "#login input[name=email]").send_keys("ana@ponte.local")
    browser.find_element(By.CSS_SELECTOR, "#login input[name=password]").send_keys("Ana-password-1")
    browser.find_element(By.CSS_SELECTOR, "#login button").click()

    assert "Padaria Estrela" in text_of(browser, "#account")


def test_a_wait_that_times_out_says_where_the_page_was(browser: Chrome, console: Console) -> None:
    suspended(console)
    open_as(browser, console, "ana", "#/account/padaria")
    assert "Padaria Estrela" in text_of(browser, "#account")

    with pytest.raises(TimeoutException) as timeout:
        wait(browser, 0.5).until(shown.visibility_of_element_located((By.ID, "no-such-element")))

    said = str(timeout.value)
    assert f"{console.url}/#/account/padaria" in said and "'flash': '(hidden) '" in said and "Padaria Estrela" in said


def test_a_new_password_the_pool_refuses_is_explained(browser: Chrome, console: Console) -> None:
    def cognito(target: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if target == "InitiateAuth":
            return 200, {"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": "s1"}
        return 400, {"__type": "InvalidPasswordException", "message": "Password does not conform to policy"}

    console.cognito = cognito
    browser.get(console.url + "/")
    browser.execute_script("sessionStorage.clear(); localStorage.setItem('ponte.locale', 'es')")
    browser.refresh()
    text_of(browser, "#login input[name=email]")
    browser.find_element(By.CSS_SELECTOR, "#login input[name=email]").send_keys("ana@ponte.local")
    browser.find_element(By.CSS_SELECTOR, "#login input[name=password]").send_keys("Temporary-1")
    browser.find_element(By.CSS_SELECTOR, "#login button").click()
    text_of(browser, "#new-password input")
    browser.find_element(By.CSS_SELECTOR, "#new-password input").send_keys("abcdefghijkl")
    browser.find_element(By.CSS_SELECTOR, "#new-password button").click()

    assert "mayúsculas" in text_of(browser, "#flash")


# Accessibility.


def test_every_control_on_the_account_has_a_name(browser: Chrome, console: Console) -> None:
    suspended(console)
    open_as(browser, console, "ana", "#/account/padaria")
    text_of(browser, "#account")
    choose_action(browser, "offline_payment")

    unnamed = browser.execute_script(
        "return [...document.querySelectorAll('input, select, textarea')]"
        ".filter((c) => !c.labels.length && !c.getAttribute('aria-label')).map((c) => c.name || c.id)"
    )
    open_as(browser, console, "ana", "#/?q=pada")
    text_of(browser, "#results")
    unnamed += browser.execute_script(
        "return [...document.querySelectorAll('main input, main select')]"
        ".filter((c) => !c.labels.length && !c.getAttribute('aria-label')).map((c) => c.name || c.id)"
    )

    assert unnamed == []


def test_the_customers_notices_list_what_the_customer_was_sent_not_alerts_to_staff(
    browser: Chrome, console: Console
) -> None:
    console.staff = Staff()
    ledger = console.staff.store.ledgers["padaria"]
    # The ladder's record of an alert to the owner (the customer could not be reached), beside a notice that went out.
    alert = SentNotice(step_id="alert:customer_unreachable:NF-1", sent_at=local(date(2026, 11, 20), 9), channel="staff")
    sent = SentNotice(step_id="reminder", sent_at=local(date(2026, 11, 10), 9), channel="email")
    console.staff.store.ledgers["padaria"] = ledger.model_copy(update={"notices": (sent, alert)})

    open_as(browser, console, "ana", "#/account/padaria")
    notices = text_of(browser, "#notices")

    assert "10/11/2026" in notices and "e-mail" in notices  # what the customer was sent
    assert "20/11/2026" not in notices and "outro canal" not in notices  # the alert went to the team

    console.staff.store.ledgers["padaria"] = ledger.model_copy(update={"notices": (alert,)})
    open_as(browser, console, "ana", "#/account/padaria")
    assert wait(browser).until(shown.text_to_be_present_in_element((By.ID, "notices"), "Nenhum aviso"))


def _kept_form(driver: Chrome, console: Console, account_id: str, action: str, reason: str) -> None:
    """A form kept in the tab when the session expired on sending it (as `keepDraft` keeps it)."""
    draft = {
        "accountId": account_id,
        "action": action,
        "fields": {"reason": reason},
        "by": "",
        "at": time.time() * 1000,
    }
    in_the_origin(driver, console)
    driver.execute_script("sessionStorage.setItem('ponte.draft', arguments[0])", json.dumps(draft))


def test_a_form_kept_on_an_account_merged_since_comes_back_on_the_one_it_is_part_of(
    browser: Chrome, console: Console
) -> None:
    suspended(console)
    merged_since(console)
    _kept_form(browser, console, "padaria-2", "note", "Cliente ligou pedindo o boleto")

    open_as(browser, console, "ana", "#/account/padaria-2")

    assert wait(browser).until(shown.text_to_be_present_in_element((By.ID, "flash"), "foi mantido"))
    assert "unida" in text_of(browser, "#flash")  # what happened to the account is still said
    reason = browser.find_element(By.CSS_SELECTOR, "#act textarea[name=reason]")
    assert reason.get_attribute("value") == "Cliente ligou pedindo o boleto"


def test_a_form_kept_for_an_action_no_longer_offered_is_shown_not_dropped(browser: Chrome, console: Console) -> None:
    suspended(console)
    _kept_form(browser, console, "padaria", "owner", "Passar para o Bruno")  # Ana (collections) may not

    open_as(browser, console, "ana", "#/account/padaria")

    assert wait(browser).until(shown.text_to_be_present_in_element((By.ID, "flash"), "Passar para o Bruno"))
    assert "não está mais disponível" in text_of(browser, "#flash")
    assert browser.execute_script("return sessionStorage.getItem('ponte.draft')") is None


# Where each reason asked in the page is asked: the button that asks it, and the section it is asked in.
ASKED = {"acknowledge": ("#alerts button.small", "#alerts"), "reveal": ("#reveal", "#contact")}


@pytest.mark.parametrize(
    ("action", "reason"),
    [("acknowledge", "Liguei, paga amanhã"), ("reveal", "Cliente pediu retorno por telefone")],
)
def test_a_reason_asked_in_the_page_and_sent_after_the_session_expired_is_kept(
    browser: Chrome, console: Console, action: str, reason: str
) -> None:
    opener, where = ASKED[action]
    suspended(console)  # with the suspension's alert to Ana, to acknowledge
    open_as(browser, console, "ana", "#/account/padaria")
    wait(browser).until(shown.element_to_be_clickable((By.CSS_SELECTOR, opener))).click()
    asked = wait(browser).until(shown.visibility_of_element_located((By.CSS_SELECTOR, f"{where} form.ask textarea")))
    asked.send_keys(reason)
    browser.execute_script("const real = Date.now; Date.now = () => real() + 2 * 3600 * 1000;")  # an hour on
    browser.find_element(By.CSS_SELECTOR, f"{where} form.ask button[type=submit]").click()
    wait(browser).until(shown.visibility_of_element_located((By.CSS_SELECTOR, "#login input[name=email]")))
    assert not console.posted(action)

    open_as(browser, console, "ana", "#/account/padaria")  # signed in again, back on the account

    assert wait(browser).until(shown.text_to_be_present_in_element((By.ID, "flash"), "foi mantido"))
    kept = browser.find_element(By.CSS_SELECTOR, f"{where} form.ask textarea")
    assert kept.get_attribute("value") == reason
    browser.find_element(By.CSS_SELECTOR, f"{where} form.ask button[type=submit]").click()
    wait(browser).until(lambda driver: console.posted(action))
    assert console.posted(action)[0]["reason"] == reason
