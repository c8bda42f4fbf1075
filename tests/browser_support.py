"""Debian's Chromium, headless, driven by Selenium through Debian's chromedriver, at a phone's width: what the
console's browser tests and the e-mail screenshots share. The flags keep Chromium off the network (this machine's is
closed) and out of the way of a root user."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

needs_chromium = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="Debian's chromium and chromium-driver are not installed (make test installs them)",
)

_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


@contextmanager
def phone_browser(profile: Path, size: tuple[int, int], *, language: str | None = None) -> Iterator[Any]:
    """A headless Chromium window of `size` CSS pixels with a fresh profile folder, quit on exit."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*_FLAGS, f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}"):
        options.add_argument(flag)
    if language:
        options.add_argument(f"--lang={language}")
        options.add_experimental_option("prefs", {"intl.accept_languages": language})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.set_window_size(*size)
    try:
        yield driver
    finally:
        driver.quit()


def photo_folder(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """Where pictures go: `PONTE_SCREENSHOTS` when set (to keep them), else a temporary folder."""
    wanted = os.environ.get("PONTE_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp(name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


_PAGE_STATE = """
const flash = document.getElementById("flash");
const main = document.getElementById("main");
return {
  address: location.href,
  flash: flash ? (flash.hidden ? "(hidden) " : "") + flash.textContent : "(none)",
  main: main ? main.innerText.slice(0, 300) : "(none)",
};
"""


def page_wait(driver: Any, seconds: float) -> WebDriverWait[Any]:
    """Selenium's wait, whose timeout says where the page was: its address, the flash message and the start of the
    main content (a page that did not come to what was awaited is then read from the failure, not guessed at)."""
    from selenium.common.exceptions import TimeoutException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    class PageWait(WebDriverWait[Any]):
        def until(self, method: Any, message: str = "") -> Any:
            try:
                return super().until(method, message)
            except TimeoutException as timeout:
                try:
                    state = driver.execute_script(_PAGE_STATE)
                except WebDriverException as unreadable:
                    state = f"the page could not be read: {unreadable.msg}"
                raise TimeoutException(
                    f"{message} after {seconds:g} s the page was {state}", timeout.screen, timeout.stacktrace
                ) from None

    return PageWait(driver, seconds)
