"""The staff console in a real browser: Debian's Chromium, headless, driven by Selenium through Debian's chromedriver,
against `make serve`'s stack (`infra.local.serve.serving`: the console's files and the staff API on one origin, the
emulator's Cognito to sign in).

Ana (collections) signs in, finds Padaria Estrela (suspended: a month has passed on the stack's clock), records a
promise to pay and sees the plan move, reactivates the account and sees both in the history under her name. The
screens are photographed on a phone's width; set `PONTE_SCREENSHOTS=<folder>` to keep them (the README's come from
`PONTE_SCREENSHOTS=docs/console`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from infra.local.console import Login, add_user, new_password
from infra.local.serve import Served, serving
from tests.browser_support import needs_chromium, page_wait, phone_browser, photo_folder

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as shown  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

if TYPE_CHECKING:
    from selenium.webdriver import Chrome

PHONE = (390, 900)  # CSS pixels: a common phone's width

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def starting_browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Future[Chrome]]:
    """Chromium, starting in the background while the stack is served and a month passes on it; quit at the end."""
    window = phone_browser(tmp_path_factory.mktemp("chromium"), PHONE, language="pt-BR")
    with contextlib.ExitStack() as quit_at_the_end, ThreadPoolExecutor(max_workers=1) as background:
        yield background.submit(quit_at_the_end.enter_context, window)


@pytest.fixture(scope="module")
def served(starting_browser: Future[Chrome]) -> Iterator[Served]:
    with serving(quiet=True) as local:
        # A month on: Padaria Estrela (R$ 1.500,00, 12 days late when seeded) has been warned and suspended.
        local.stack.advance_to(datetime.now(UTC) + timedelta(days=30))
        yield local


@pytest.fixture(scope="module")
def browser(starting_browser: Future[Chrome], served: Served) -> Chrome:
    """Chromium once it is up, waited for only after the stack is served (which it starts alongside)."""
    return starting_browser.result(timeout=120)


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return photo_folder(tmp_path_factory, "screens")


def wait(driver: Chrome, seconds: float = 20) -> WebDriverWait[Any]:
    return page_wait(driver, seconds)


def text_of(driver: Chrome, css: str) -> str:
    return str(wait(driver).until(shown.visibility_of_element_located((By.CSS_SELECTOR, css))).text)


def photograph(driver: Chrome, path: Path) -> None:
    """The whole page at the phone's width (the window grows to the page's height for the picture)."""
    driver.execute_script("window.scrollTo(0, 0)")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(PHONE[0], max(PHONE[1], min(int(height) + 120, 4000)))
    driver.save_screenshot(str(path))
    driver.set_window_size(*PHONE)
    assert path.stat().st_size > 10_000  # a page was drawn, not a blank


def sign_in(driver: Chrome, served: Served, who: str) -> None:
    login = served.logins[who]
    driver.get(served.url + "/")
    driver.execute_script("sessionStorage.clear(); localStorage.clear()")  # whoever was signed in, signed out
    driver.refresh()
    wait(driver).until(shown.visibility_of_element_located((By.CSS_SELECTOR, "#login input[name=email]")))
    driver.find_element(By.CSS_SELECTOR, "#login input[name=email]").send_keys(login.email)
    driver.find_element(By.CSS_SELECTOR, "#login input[name=password]").send_keys(login.password)
    driver.find_element(By.CSS_SELECTOR, "#login button").click()
    wait(driver).until(shown.text_to_be_present_in_element((By.ID, "who"), login.name))


def choose_action(driver: Chrome, action: str) -> None:
    Select(driver.find_element(By.ID, "action")).select_by_value(action)
    wait(driver).until(shown.visibility_of_element_located((By.CSS_SELECTOR, "#act textarea[name=reason]")))


def test_a_wrong_password_is_refused_in_the_readers_language(browser: Chrome, served: Served) -> None:
    browser.get(served.url + "/")
    browser.execute_script("sessionStorage.clear(); localStorage.clear()")
    browser.refresh()
    wait(browser).until(shown.visibility_of_element_located((By.CSS_SELECTOR, "#login input[name=email]")))
    browser.find_element(By.CSS_SELECTOR, "#login input[name=email]").send_keys(served.logins["ana"].email)
    browser.find_element(By.CSS_SELECTOR, "#login input[name=password]").send_keys("Not-her-password-1")
    browser.find_element(By.CSS_SELECTOR, "#login button").click()

    assert text_of(browser, "#flash") == "E-mail ou senha incorretos."
    assert browser.find_element(By.ID, "nav").get_attribute("hidden") is not None  # nothing opened


def test_sign_in_find_promise_reactivate_and_read_the_history(browser: Chrome, served: Served, photos: Path) -> None:
    # Ana signs in and looks for the bakery by the start of its name
    sign_in(browser, served, "ana")
    search = wait(browser).until(shown.visibility_of_element_located((By.CSS_SELECTOR, "#search input[name=q]")))
    search.send_keys("padaria")
    browser.find_element(By.CSS_SELECTOR, "#search button").click()
    result = wait(browser).until(shown.element_to_be_clickable((By.LINK_TEXT, "Padaria Estrela")))
    assert "Suspensa" in text_of(browser, "#results")
    photograph(browser, photos / "search.png")
    result.click()

    # Its 360° view: suspended, owing R$ 1.500,00, Ana its owner
    head = text_of(browser, "#account")
    assert "Padaria Estrela" in head and "Suspensa" in head and "R$ 1.500,00" in head.replace("\u00a0", " ")
    assert "Responsável: Ana Souza" in head  # as the staff directory names her
    plan_before = text_of(browser, "#plan")

    # She records a promise to pay in ten days
    choose_action(browser, "promise_to_pay")
    until = (served.stack.now.astimezone(UTC) + timedelta(days=10)).date()
    field = browser.find_element(By.CSS_SELECTOR, "#act input[name=until]")
    browser.execute_script("arguments[0].value = arguments[1]", field, until.isoformat())
    browser.find_element(By.CSS_SELECTOR, "#act textarea[name=reason]").send_keys("Cliente prometeu pagar por Pix")
    browser.find_element(By.CSS_SELECTOR, "#act button[type=submit]").click()

    assert text_of(browser, "#flash") == "Registrado."
    holds = text_of(browser, "#holds")
    assert "Promessa de pagamento" in holds and f"Até {until:%d/%m/%Y}" in holds and "Ana Souza" in holds
    plan_after = text_of(browser, "#plan")
    assert plan_after != plan_before  # the plan moved past the promise
    photograph(browser, photos / "account.png")

    # Then reactivates the account at once
    choose_action(browser, "reactivate")
    browser.find_element(By.CSS_SELECTOR, "#act textarea[name=reason]").send_keys("Combinado com o gerente")
    browser.find_element(By.CSS_SELECTOR, "#act button[type=submit]").click()
    assert text_of(browser, "#flash") == "Registrado."
    head = text_of(browser, "#account")
    assert "Suspensa" not in head and "Em atraso" in head

    # The history names her for both, newest first, with her reasons
    history = text_of(browser, "#timeline")
    lines = history.splitlines()
    reactivated = next(i for i, line in enumerate(lines) if "Reativar agora" in line)
    promised = next(i for i, line in enumerate(lines) if "Promessa de pagamento" in line)
    assert reactivated < promised
    assert "Ana Souza" in lines[reactivated] and "Ana Souza" in lines[promised]
    assert "Combinado com o gerente" in history and "Cliente prometeu pagar por Pix" in history
    for internal in ("staff.", "promise_to_pay", "erp::", "collections."):
        assert internal not in browser.find_element(By.ID, "main").text


def test_the_overdue_book_in_spanish(browser: Chrome, served: Served, photos: Path) -> None:
    sign_in(browser, served, "carla")
    Select(browser.find_element(By.ID, "language")).select_by_value("es")
    browser.get(served.url + "/#/book")

    book = text_of(browser, "#book")

    assert "Cartera vencida" in text_of(browser, "main h1")
    assert "Oficina do Zé" in book and "Mercado São Jorge" in book  # Carla (admin) sees everyone's
    assert "Días de atraso" in book
    photograph(browser, photos / "book.png")
    Select(browser.find_element(By.ID, "language")).select_by_value("pt-BR")


def test_an_account_outside_ones_book_is_not_shown(browser: Chrome, served: Served) -> None:
    sign_in(browser, served, "ana")
    browser.get(served.url + "/#/account/oficina-do-ze")  # Carla's account

    refused = "Conta não encontrada (ou fora da sua carteira)."
    assert wait(browser).until(shown.text_to_be_present_in_element((By.ID, "main"), refused))
    assert "Oficina" not in browser.find_element(By.ID, "main").text


def _to_login(driver: Chrome, served: Served) -> None:
    driver.get(served.url + "/")
    driver.execute_script("sessionStorage.clear(); localStorage.clear()")
    driver.refresh()
    wait(driver).until(shown.visibility_of_element_located((By.CSS_SELECTOR, "#login input[name=email]")))


def _ask_for_a_code(driver: Chrome, email: str) -> None:
    driver.find_element(By.ID, "forgot").click()
    wait(driver).until(shown.visibility_of_element_located((By.CSS_SELECTOR, "#forgot input[name=email]")))
    driver.find_element(By.CSS_SELECTOR, "#forgot input[name=email]").send_keys(email)
    driver.find_element(By.CSS_SELECTOR, "#forgot button[type=submit]").click()
    wait(driver).until(shown.visibility_of_element_located((By.CSS_SELECTOR, "#reset input[name=code]")))


def test_a_forgotten_password_is_replaced_with_the_code_cognito_sends(browser: Chrome, served: Served) -> None:
    rita = Login("rita@padaria.example", new_password(), "Rita Alves", ("collections",))
    add_user(served.stack, rita.email, rita.name, rita.groups, rita.password)
    _to_login(browser, served)

    _ask_for_a_code(browser, rita.email)

    assert text_of(browser, "#flash").startswith("Enviamos um código para ")
    fresh = new_password()
    browser.find_element(By.CSS_SELECTOR, "#reset input[name=code]").send_keys("482913")  # the emulator takes any
    browser.find_element(By.CSS_SELECTOR, "#reset input[name=new-password]").send_keys(fresh)
    browser.find_element(By.CSS_SELECTOR, "#reset button[type=submit]").click()
    wait(browser).until(shown.visibility_of_element_located((By.CSS_SELECTOR, "#login input[name=email]")))
    assert text_of(browser, "#flash") == "Senha alterada. Entre com a nova senha."

    sign_in(browser, replace(served, logins={"rita": replace(rita, password=fresh)}), "rita")
    assert "Rita Alves" in browser.find_element(By.ID, "who").text


def test_an_expired_code_is_said_and_a_new_one_can_be_asked_for(browser: Chrome, served: Served) -> None:
    _to_login(browser, served)
    _ask_for_a_code(browser, served.logins["carla"].email)

    # The emulator checks a code only when it is one of its own (AWS checks every code): one it did not send.
    browser.find_element(By.CSS_SELECTOR, "#reset input[name=code]").send_keys("moto-confirmation-code:1")
    browser.find_element(By.CSS_SELECTOR, "#reset input[name=new-password]").send_keys(new_password())
    browser.find_element(By.CSS_SELECTOR, "#reset button[type=submit]").click()

    assert wait(browser).until(shown.text_to_be_present_in_element((By.ID, "flash"), "O código expirou"))
    browser.find_element(By.ID, "send-again").click()
    assert wait(browser).until(shown.visibility_of_element_located((By.CSS_SELECTOR, "#forgot input[name=email]")))
    assert browser.find_element(By.CSS_SELECTOR, "#forgot input[name=email]").get_attribute("value") == (
        served.logins["carla"].email
    )


def test_a_password_an_admin_reset_leads_to_the_code_screen(browser: Chrome, served: Served) -> None:
    """Cognito refuses the sign-in of a user whose password an admin reset with PasswordResetRequiredException
    (its API reference, InitiateAuth), having sent a code; the emulator answers with the new-password challenge
    instead, so Cognito's answer is given at the page's `fetch`."""
    _to_login(browser, served)
    browser.execute_script(
        """
        const real = window.fetch;
        window.fetch = (url, init) => (init?.headers?.["X-Amz-Target"] || "").endsWith(".InitiateAuth")
          ? Promise.resolve(new Response(JSON.stringify({ __type: "PasswordResetRequiredException",
              message: "Password reset required for the user" }), { status: 400 }))
          : real(url, init);
        """
    )
    browser.find_element(By.CSS_SELECTOR, "#login input[name=email]").send_keys(served.logins["ana"].email)
    browser.find_element(By.CSS_SELECTOR, "#login input[name=password]").send_keys(served.logins["ana"].password)
    browser.find_element(By.CSS_SELECTOR, "#login button[type=submit]").click()

    wait(browser).until(shown.visibility_of_element_located((By.CSS_SELECTOR, "#reset input[name=code]")))
    assert text_of(browser, "#flash").startswith("Sua senha foi redefinida por um administrador")
    assert "not possible" not in browser.page_source


def test_the_book_is_filtered_by_an_owner_chosen_by_name(browser: Chrome, served: Served) -> None:
    sign_in(browser, served, "carla")
    browser.get(served.url + "/#/book")
    text_of(browser, "#book")

    owner = Select(
        wait(browser).until(shown.element_to_be_clickable((By.CSS_SELECTOR, "#book-filters select[name=owner]")))
    )
    assert [o.text for o in owner.options] == ["Todos", "Ana Souza", "Carla Mendes"]  # by name, not an id to type
    owner.select_by_visible_text("Ana Souza")
    browser.find_element(By.CSS_SELECTOR, "#book-filters button[type=submit]").click()

    wait(browser).until(lambda driver: "owner=ana" in driver.current_url)
    book = text_of(browser, "#book")
    assert "Padaria Estrela" in book and "Oficina do Zé" not in book  # Ana's, not Carla's
    chosen = Select(browser.find_element(By.CSS_SELECTOR, "#book-filters select[name=owner]"))
    assert chosen.first_selected_option.text == "Ana Souza"


def _note_sent_after_the_session_expired(driver: Chrome, served: Served, text: str) -> None:
    """Ana writes a note on Padaria Estrela and sends it an hour later (the token's life): the console's clock moves
    past the session's end, and the login is shown."""
    sign_in(driver, served, "ana")
    driver.get(served.url + "/#/account/padaria-estrela")
    text_of(driver, "#account")
    choose_action(driver, "note")
    driver.find_element(By.CSS_SELECTOR, "#act textarea[name=reason]").send_keys(text)
    driver.execute_script("const real = Date.now; Date.now = () => real() + 2 * 3600 * 1000;")
    driver.find_element(By.CSS_SELECTOR, "#act button[type=submit]").click()
    wait(driver).until(shown.visibility_of_element_located((By.CSS_SELECTOR, "#login input[name=email]")))
    assert text_of(driver, "#flash") == "Sua sessão expirou. Entre de novo."
    driver.execute_script("Date.now = () => new Date().getTime();")


def _log_in_on_the_login_shown(driver: Chrome, login: Login) -> None:
    driver.find_element(By.CSS_SELECTOR, "#login input[name=email]").send_keys(login.email)
    driver.find_element(By.CSS_SELECTOR, "#login input[name=password]").send_keys(login.password)
    driver.find_element(By.CSS_SELECTOR, "#login button[type=submit]").click()


def test_an_action_sent_after_the_session_expired_is_kept_for_after_signing_in(browser: Chrome, served: Served) -> None:
    _note_sent_after_the_session_expired(browser, served, "Cliente pediu a segunda via")
    _log_in_on_the_login_shown(browser, served.logins["ana"])

    # Back on the account, the note as she wrote it, to check and send.
    wait(browser).until(shown.text_to_be_present_in_element((By.ID, "flash"), "o que você preencheu foi mantido"))
    assert "padaria-estrela" in browser.current_url
    reason = browser.find_element(By.CSS_SELECTOR, "#act textarea[name=reason]")
    assert reason.get_attribute("value") == "Cliente pediu a segunda via"
    assert Select(browser.find_element(By.ID, "action")).first_selected_option.get_attribute("value") == "note"
    browser.find_element(By.CSS_SELECTOR, "#act button[type=submit]").click()
    assert text_of(browser, "#flash") == "Registrado."
    assert "Cliente pediu a segunda via" in text_of(browser, "#timeline")


def test_a_form_kept_when_the_session_expired_is_not_given_to_someone_else(browser: Chrome, served: Served) -> None:
    _note_sent_after_the_session_expired(browser, served, "Só para a Ana")
    carla = served.logins["carla"]  # someone else, on the same tab
    _log_in_on_the_login_shown(browser, carla)

    wait(browser).until(shown.text_to_be_present_in_element((By.ID, "who"), carla.name))
    text_of(browser, "#account")
    assert "Só para a Ana" not in browser.page_source
    assert browser.execute_script("return sessionStorage.getItem('ponte.draft')") is None


def test_an_owner_the_link_names_who_is_not_offered_stays_chosen(browser: Chrome, served: Served) -> None:
    sign_in(browser, served, "carla")
    browser.get(served.url + "/#/book?owner=collections")  # a team: not one of the people offered
    text_of(browser, "#book")
    owner = Select(
        wait(browser).until(shown.element_to_be_clickable((By.CSS_SELECTOR, "#book-filters select[name=owner]")))
    )
    assert owner.first_selected_option.get_attribute("value") == "collections"  # not "Todos" over a filtered list


def test_a_password_only_an_admin_can_reset_says_so(browser: Chrome, served: Served) -> None:
    """Cognito refuses ForgotPassword to a user who never used the invitation (NotAuthorizedException) or has no
    verified e-mail (InvalidParameterException); the emulator sends a code to anyone, so its answer is given at the
    page's `fetch`."""
    _to_login(browser, served)
    browser.execute_script(
        """
        const real = window.fetch;
        window.fetch = (url, init) => (init?.headers?.["X-Amz-Target"] || "").endsWith(".ForgotPassword")
          ? Promise.resolve(new Response(JSON.stringify({ __type: "NotAuthorizedException",
              message: "User password cannot be reset in the current state." }), { status: 400 }))
          : real(url, init);
        """
    )
    browser.find_element(By.ID, "forgot").click()
    wait(browser).until(shown.visibility_of_element_located((By.CSS_SELECTOR, "#forgot input[name=email]")))
    browser.find_element(By.CSS_SELECTOR, "#forgot input[name=email]").send_keys("novo@padaria.example")
    browser.find_element(By.CSS_SELECTOR, "#forgot button[type=submit]").click()

    assert wait(browser).until(shown.text_to_be_present_in_element((By.ID, "flash"), "peça a um administrador"))
    assert "senha incorretos" not in text_of(browser, "#flash")


def test_no_network_on_a_recovery_step_is_said_in_words(browser: Chrome, served: Served) -> None:
    _to_login(browser, served)
    browser.execute_script("window.fetch = () => Promise.reject(new TypeError('Failed to fetch'));")
    browser.find_element(By.ID, "forgot").click()
    wait(browser).until(shown.visibility_of_element_located((By.CSS_SELECTOR, "#forgot input[name=email]")))
    browser.find_element(By.CSS_SELECTOR, "#forgot input[name=email]").send_keys("ana@ponte.local")
    browser.find_element(By.CSS_SELECTOR, "#forgot button[type=submit]").click()

    assert wait(browser).until(shown.text_to_be_present_in_element((By.ID, "flash"), "Não foi possível entrar agora"))
    assert "Failed" not in text_of(browser, "#flash") and "ui." not in text_of(browser, "#flash")


def test_changing_language_on_the_code_screen_keeps_the_reader_there(browser: Chrome, served: Served) -> None:
    _to_login(browser, served)
    _ask_for_a_code(browser, served.logins["carla"].email)

    Select(browser.find_element(By.ID, "language")).select_by_value("es")

    wait(browser).until(shown.text_to_be_present_in_element((By.ID, "flash"), "Enviamos un código a"))
    assert browser.find_element(By.CSS_SELECTOR, "#reset input[name=code]").is_displayed()
    assert "Guardar la contraseña nueva" in browser.find_element(By.CSS_SELECTOR, "#reset").text
    Select(browser.find_element(By.ID, "language")).select_by_value("pt-BR")
