"""The browser suite: Selenium driving Debian's ``chromium`` with ``chromium-driver`` (nothing is downloaded;
Selenium Manager cannot reach its hosts here), against pytest-django's live server on 127.0.0.1.

Without the two binaries every browser test skips with one line saying so; ``.ci/run`` installs them and sets
``SANCTUARY_REQUIRE_BROWSER=1``, which turns that skip into a failure.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings

from sanctuary.demo import DEMO_PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
# WCAG 2.0 and 2.1, levels A and AA: the tags axe-core files those rules under.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{os.path.basename(path)} is not installed (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    reason = _missing()
    if reason is not None:
        if os.environ.get("SANCTUARY_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required but {reason}")
        pytest.skip(f"browser tests skipped: {reason}")
    return CHROMIUM


class Browser:
    """One headless Chromium with the helpers a journey needs; every page it opens is checked by axe."""

    def __init__(self, driver: Any, base_url: str) -> None:
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver = driver
        self.base_url = base_url
        self.wait = WebDriverWait(driver, 10)
        self.checked: list[str] = []

    # --- moving around ------------------------------------------------------------------------------------
    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)
        self.settle()

    def settle(self) -> None:
        self.wait.until(lambda d: d.execute_script("return document.readyState") == "complete")

    def login(self, username: str) -> None:
        from selenium.webdriver.common.by import By

        self.driver.delete_all_cookies()
        self.open("/admin/login/")
        self.driver.find_element(By.NAME, "username").send_keys(username)
        self.driver.find_element(By.NAME, "password").send_keys(DEMO_PASSWORD)
        button = self.driver.find_element(By.CSS_SELECTOR, "form [type=submit]")
        button.click()
        self._left(button)
        assert "/admin/login/" not in self.driver.current_url, f"{username} could not sign in: {self.text[-300:]}"

    def find(self, css: str) -> Any:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec

        return self.wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))

    def click_link(self, text: str) -> None:
        from selenium.webdriver.common.by import By

        link = self.driver.find_element(By.PARTIAL_LINK_TEXT, text)
        link.click()
        self._left(link)

    def click_link_no_navigation(self, text: str) -> None:
        """Click a link that does not replace the page (a download)."""
        from selenium.webdriver.common.by import By

        self.driver.find_element(By.PARTIAL_LINK_TEXT, text).click()

    def fill(self, name: str, value: str) -> None:
        from selenium.webdriver.common.by import By

        element = self.driver.find_element(By.NAME, name)
        element.clear()
        element.send_keys(value)

    def select(self, name: str, *, text: str) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select

        Select(self.driver.find_element(By.NAME, name)).select_by_visible_text(text)

    def submit(self, css: str = "[type=submit][name=_save]", *, navigates: bool = True) -> None:
        """Press a form's button: the admin's Save by default, else the first submit button in the page's
        content (``css``); wait for the next page unless the browser is expected to stay (``navigates``)."""
        from selenium.webdriver.common.by import By

        button = self.driver.find_element(By.CSS_SELECTOR, css)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        button.click()
        if navigates:
            self._left(button)
        else:
            self.settle()

    def _left(self, element: Any) -> None:
        """Wait until the page that held ``element`` has been replaced by the next one, fully loaded."""
        from selenium.common.exceptions import WebDriverException

        def gone(driver: Any) -> bool:
            try:
                element.is_enabled()
            except WebDriverException:  # stale, or a node of a document that is no longer there
                return True
            return False

        self.wait.until(gone)
        self.settle()

    @property
    def text(self) -> str:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.TAG_NAME, "body").text

    @property
    def path(self) -> str:
        return self.driver.current_url.removeprefix(self.base_url)

    # --- checks ------------------------------------------------------------------------------------------
    def axe(self) -> list[dict[str, Any]]:
        """WCAG 2 A/AA violations on the current page (axe-core, bundled by axe-selenium-python)."""
        from axe_selenium_python import Axe

        axe = Axe(self.driver)
        axe.inject()
        results = axe.run(options=json.dumps({"runOnly": {"type": "tag", "values": AXE_TAGS}}))
        self.checked.append(self.path)
        return [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["html"][:200] for n in v["nodes"][:3]]}
            for v in results["violations"]
        ]

    def assert_accessible(self) -> None:
        violations = self.axe()
        assert violations == [], f"{self.path}: {violations}"

    def charts_drawn(self) -> int:
        """How many canvases Chart.js has drawn on this page."""
        return int(
            self.driver.execute_script(
                "return Array.from(document.querySelectorAll('canvas[data-ws-chart]'))"
                ".filter(c => window.Chart && window.Chart.getChart(c)).length;"
            )
        )

    def page_width(self) -> int:
        return int(self.driver.execute_script("return document.documentElement.scrollWidth"))

    def resize(self, width: int, height: int = 900) -> None:
        self.driver.set_window_size(width, height)


def _driver(chromium: str) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = chromium
    # As root, headless, and with every background connection off: this machine's network is closed.
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--window-size=1366,900",
        "--lang=en-AU",
    ):
        options.add_argument(flag)
    # The practice's zone, as a Melbourne therapist's browser would be (the admin warns about a clock offset).
    service = Service(CHROMEDRIVER, env={**os.environ, "TZ": settings.TIME_ZONE})
    return webdriver.Chrome(options=options, service=service)


@pytest.fixture(scope="session")
def _chrome(chromium: str) -> Iterator[Any]:
    driver = _driver(chromium)
    yield driver
    driver.quit()


@pytest.fixture
def browser(_chrome: Any, demo_site: str) -> Iterator[Browser]:
    _chrome.set_window_size(1366, 900)
    _chrome.delete_all_cookies()
    yield Browser(_chrome, demo_site)
