"""Each customer notice's e-mail as the customer sees it on a phone: rendered by `render` and `customer_email`, as the
notifier sends it through SES, opened in Debian's Chromium (headless, the browser the console tests use) at a
phone's width, and photographed.

The page must read as the customer should read it: the amount in the locale's format, the customer's name, and the
business's legal name and CNPJ (CDC art. 42-A) in the signature, in the reader's language; nothing loaded from
outside. Set `PONTE_SCREENSHOTS=<folder>` to keep the pictures (the README's come from
`PONTE_SCREENSHOTS=docs/emails`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from ponte.domain.accounts import LOCALES, Locale
from ponte.domain.notifications import Audience
from ponte.messages import render
from ponte.messages.email import CustomerEmail, customer_email
from ponte.messages.formatting import Formatter
from tests.browser_support import needs_chromium, phone_browser, photo_folder
from tests.message_cases import CONTACT, CUSTOMER_NOTICES, IDENTITY, PARTLY_PAID, TIME_ZONE, Case, _notice

pytest.importorskip("selenium")
from selenium import webdriver
from selenium.webdriver.common.by import By

PHONE = (390, 800)  # CSS pixels: a common phone's width

pytestmark = needs_chromium

# The picture's name for each notice.
NAMES = {
    "customer.welcome": "welcome",
    "invoice.issued": "invoice",
    "customer.payment_reminder": "reminder",
    "customer.overdue_notice": "overdue",
    "customer.final_warning": "final-warning",
    "customer.suspended": "suspended",
    "customer.reactivated": "reactivated",
    "customer.deadline_extended": "new-deadline",
}


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    with phone_browser(tmp_path_factory.mktemp("chromium"), PHONE) as driver:
        yield driver


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return photo_folder(tmp_path_factory, "emails")


def the_email(kind: str, locale: Locale) -> CustomerEmail:
    """The e-mail the notifier sends for the notice (`ponte.services.delivery.deliver_to_customer`)."""
    message = render(CUSTOMER_NOTICES[kind].notification(locale), time_zone=TIME_ZONE)
    return customer_email(message.utf8_subject or message.subject, message.email, IDENTITY, locale)


def photograph(driver: webdriver.Chrome, path: Path) -> None:
    """The whole message on a phone: its width, and as tall as the message (Chrome's device emulation, so the page
    lays out as on a phone and the picture ends where the message does)."""
    height = driver.execute_script("return Math.ceil(document.body.getBoundingClientRect().bottom)")
    metrics = {"width": PHONE[0], "height": min(int(height), 2400), "deviceScaleFactor": 1, "mobile": True}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    try:
        driver.save_screenshot(str(path))
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert path.stat().st_size > 5_000  # a page was drawn, not a blank


@pytest.mark.parametrize("kind", NAMES, ids=NAMES.get)
@pytest.mark.parametrize("locale", LOCALES)
def test_the_customer_reads_the_notice_on_a_phone(
    browser: webdriver.Chrome, photos: Path, tmp_path: Path, locale: Locale, kind: str
) -> None:
    mail = the_email(kind, locale)
    page = tmp_path / "message.html"
    page.write_text(mail.html, encoding="utf-8")

    browser.get(page.as_uri())

    shown = " ".join(browser.find_element(By.TAG_NAME, "body").text.split())
    assert browser.title == mail.subject
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == locale
    assert CONTACT in shown
    assert f"{IDENTITY.legal_name} · CNPJ {IDENTITY.formatted_tax_id}" in shown
    assert IDENTITY.address.one_line in shown
    for amount in CUSTOMER_NOTICES[kind].owed:
        written = " ".join(Formatter(locale, TIME_ZONE).money(amount).split())
        assert written in shown, f"{written} not on the page"
    assert shown.count("?") == 1  # the signature's question ("Dúvidas?"): no character became "?"
    # Nothing is loaded from outside: every address is a link the reader may follow, none an image or a style.
    sources = browser.execute_script(
        "return [...document.querySelectorAll('[src], link[href]')].map(e => e.src || e.href)"
    )
    assert sources == []
    links = [a.get_attribute("href") or "" for a in browser.find_elements(By.TAG_NAME, "a")]
    assert links and all(link.startswith(("https://", "mailto:", "tel:")) for link in links)
    # The business a tap away: its e-mail, its phone, its WhatsApp.
    assert {f"mailto:{IDENTITY.support_email}", f"tel:{IDENTITY.support_phone}", "https://wa.me/5511930000000"} <= set(
        links
    )
    assert fits_the_phone(browser)

    photograph(browser, photos / f"{NAMES[kind]}.{locale}.png")


# A Stripe invoice's hosted page and a boleto's digitable line, as the providers give them: each longer than a
# phone's line, with nowhere a browser would break them unasked.
STRIPE_INVOICE = (
    "https://invoice.stripe.com/i/acct_1MtJUELkdIwHu7ix/live_YWNjdF8xTXRKVUVMa2RJd0h1N2l4LF9QZ2RWSDBWY2ZrRVRDcDRtSlpL"
    "cGlTWWNCNHZ1OEVMLDEwNjQ3OTk0OA0200Dlx9TtwT?s=ap"
)
BOLETO = "23790448095616862379336011058009740430000124020"


def fits_the_phone(driver: webdriver.Chrome) -> bool:
    """Nothing is wider than the screen: a mail app would shrink the whole message to fit it, or scroll sideways."""
    return bool(driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("locale", LOCALES)
def test_long_payment_details_fit_the_phone_and_the_boleto_line_is_copied_whole(
    browser: webdriver.Chrome, photos: Path, tmp_path: Path, locale: Locale
) -> None:
    charge = replace(PARTLY_PAID, payment_url=STRIPE_INVOICE, bank_slip=BOLETO)
    notice = _notice("customer.overdue_notice", charge, fees_mode="informational")
    case = Case("stripe-and-boleto", notice, Audience.CUSTOMER)
    message = render(case.notification(locale), time_zone=TIME_ZONE)
    page = tmp_path / "message.html"
    page.write_text(customer_email(message.utf8_subject, message.email, IDENTITY, locale).html, encoding="utf-8")

    browser.get(page.as_uri())

    assert fits_the_phone(browser)
    assert STRIPE_INVOICE in [a.get_attribute("href") for a in browser.find_elements(By.TAG_NAME, "a")]
    # A tap on the line selects it whole, and only it: what the customer pastes into the bank's app.
    line = browser.find_element(By.XPATH, f"//*[normalize-space(text())='{BOLETO}']")
    browser.execute_script("window.getSelection().removeAllRanges()")
    line.click()
    assert browser.execute_script("return window.getSelection().toString()").strip() == BOLETO
    browser.execute_script("window.getSelection().removeAllRanges()")
    photograph(browser, photos / f"long-payment-details.{locale}.png")
