"""The Dagster UI of the production stack in Debian's Chromium, headless, driven by Selenium
(issue 9). The stack and the materialized day come from conftest_deploy.py (sensor_scenario):
the asset graph lists the six assets, the day shows as materialized by the runs PostgreSQL
recorded, and the asset checks' results are visible. Screenshots go to test-artifacts/.
"""

import json
import os
import shutil
import socket
import urllib.request
from pathlib import Path

import pytest

pytest.register_assert_rewrite("conftest_deploy")
from conftest_deploy import IN_CI, LOCATION_NAME, Proc, wait_for  # noqa: E402

pytest_plugins = ["conftest_deploy"]

SIX_ASSETS = ("raw_logs", "conversations", "scrubbed", "geo_tagged", "classified", "release")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
WAIT_S = 60


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        message = "Debian's chromium and chromium-driver are not installed (.ci/run installs them)"
        if IN_CI:
            pytest.fail(message + " — required in CI", pytrace=False)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
                 "--window-size=1600,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT_S)
    ARTIFACTS.mkdir(exist_ok=True)
    yield driver
    driver.quit()


def wait(driver, condition, what: str):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, WAIT_S, poll_frequency=0.25).until(condition)
    except TimeoutException:
        shot = ARTIFACTS / "ui_failure.png"
        driver.save_screenshot(str(shot))
        pytest.fail(f"UI: timed out waiting for {what} at {driver.current_url} (screenshot: {shot})\n"
                    f"{driver.find_element('tag name', 'body').text[:2000]}")


def body_lines(driver) -> set[str]:
    return {line.strip() for line in driver.find_element("tag name", "body").text.splitlines()}


def test_asset_graph_lists_the_six_assets(browser, dagster_stack, sensor_scenario):
    browser.get(f"{dagster_stack.url}/locations/{LOCATION_NAME}/asset-groups/pipeline")
    lines = wait(browser, lambda d: (lines := body_lines(d)) >= set(SIX_ASSETS) and lines,
                 "the six asset nodes of the pipeline group")
    assert "Lineage" in lines
    # no "join the community" dialog over the graph (nux disabled in deploy/dagster.yaml)
    assert "Join the Dagster community" not in lines
    browser.save_screenshot(str(ARTIFACTS / "ui_asset_graph.png"))


@pytest.mark.parametrize("asset", SIX_ASSETS)
def test_materialized_partition_shows_as_materialized(browser, dagster_stack, sensor_scenario, asset):
    from selenium.webdriver.common.by import By

    day = sensor_scenario.day
    run = sensor_scenario.first_run_id if asset == "raw_logs" else sensor_scenario.chain_run_id
    browser.get(f"{dagster_stack.url}/assets/{asset}?view=partitions&partition={day}")
    tag = f"//div[@data-tooltip='{day}']//span[@data-tooltip='Materialized']"  # the day's heading
    badge = wait(browser, lambda d: d.find_elements(By.XPATH, tag), f"the Materialized tag of {asset}[{day}]")
    assert badge[0].text == "Materialized"
    # the run the UI names is the one PostgreSQL recorded for this asset and day
    wait(browser, lambda d: run[:8] in d.find_element(By.TAG_NAME, "body").text, f"run {run[:8]} on the page")
    assert "Materialized (1)" in body_lines(browser)
    if asset == "release":
        browser.save_screenshot(str(ARTIFACTS / "ui_partition_materialized.png"))

    # control: the next day has no drop and no materialization, and the page says so
    browser.get(f"{dagster_stack.url}/assets/{asset}?view=partitions&partition=2023-04-11")
    wait(browser, lambda d: d.find_elements(By.XPATH, "//div[@data-tooltip='2023-04-11']"), "the next day")
    wait(browser, lambda d: "View all historical events (0)" in body_lines(d), "no events for the next day")
    assert not browser.find_elements(By.XPATH, "//div[@data-tooltip='2023-04-11']//span[@data-tooltip]")


def asset_check_names(stack, asset: str) -> list[str]:
    data = stack.graphql("""query($key: AssetKeyInput!) { assetNodeOrError(assetKey: $key) {
        ... on AssetNode { assetChecksOrError { ... on AssetChecks { checks { name } } } } } }""",
                         {"key": {"path": [asset]}})
    checks = data["assetNodeOrError"]["assetChecksOrError"]
    return sorted(c["name"] for c in checks.get("checks", []))


@pytest.mark.parametrize("asset", ["scrubbed", "release"])
def test_asset_check_results_are_visible(browser, dagster_stack, sensor_scenario, asset):
    from selenium.webdriver.common.by import By

    names = asset_check_names(dagster_stack, asset)
    if not names:
        pytest.skip(f"{asset} has no asset checks in this code location")
    browser.get(f"{dagster_stack.url}/assets/{asset}?view=checks")
    for name in names:
        row = wait(browser, lambda d, n=name: d.find_elements(By.XPATH, f"//div[@title='{n}']/.."),
                   f"the check {name}")
        wait(browser, lambda d, r=row[0]: "Succeeded" in r.text, f"{name} marked Succeeded")
    # the selected check's latest evaluation: passed, for the day the sensor ran
    lines = wait(browser, lambda d: (lines := body_lines(d)) >= {"Evaluation result", "Passed"} and lines,
                 "the latest evaluation's result")
    assert sensor_scenario.day in lines
    browser.save_screenshot(str(ARTIFACTS / f"ui_asset_checks_{asset}.png"))


# ------------------------------------------------------------------------------------------
# `make ui`: the README's way to the UI over the demo's instance (SQLite) and data
# ------------------------------------------------------------------------------------------
MAKE_UI_PORT = 3000  # fixed by the Makefile (the README's address)


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def dismiss_community_dialog(driver, timeout: float = 15) -> None:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    skip = "//button[normalize-space(.)='Skip']"
    try:
        WebDriverWait(driver, timeout, poll_frequency=0.25).until(
            lambda d: d.find_elements(By.XPATH, skip))[0].click()
    except TimeoutException:
        return
    wait(driver, lambda d: not d.find_elements(By.XPATH, skip), "the dialog to close")


def test_make_ui_serves_the_pipeline(browser, tmp_path):
    if port_in_use(MAKE_UI_PORT):
        message = f"127.0.0.1:{MAKE_UI_PORT} is taken (a `make ui` already running?)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    home, data = tmp_path / "dagster_home", tmp_path / "data"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("WILDCHAT_", "DAGSTER_", "MAKEFLAGS", "MFLAGS"))}
    # `-o .venv/.installed`: the set-up is the suite's own, never re-run from inside a test
    proc = Proc("make_ui", ["make", "-o", ".venv/.installed", "ui", f"DAGSTER_HOME={home}",
                            f"WILDCHAT_STORAGE={data}"], env, tmp_path)
    url = f"http://127.0.0.1:{MAKE_UI_PORT}"

    def graphql(query: str) -> dict:
        req = urllib.request.Request(f"{url}/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())["data"]

    def assets_loaded():
        if not proc.running():
            pytest.fail(f"make ui exited\n{proc.log.read_text()[-3000:]}")
        nodes = graphql("{ assetNodes { assetKey { path } } }")["assetNodes"]
        return {n["assetKey"]["path"][0] for n in nodes} >= set(SIX_ASSETS)

    proc.start()
    try:
        wait_for("make ui to serve the code location's assets", assets_loaded, 180, interval=1,
                 on_timeout=lambda: proc.log.read_text()[-3000:])
        assert home.is_dir()  # the Makefile made $(DAGSTER_HOME); the instance lives there
        info = graphql("{ instance { info } }")["instance"]["info"]
        assert str(home) in info and "Sqlite" in info, info
        browser.get(f"{url}/locations/wildchat_dagster.definitions/asset-groups/pipeline")
        wait(browser, lambda d: body_lines(d) >= set(SIX_ASSETS), "the six assets under make ui")
        dismiss_community_dialog(browser)  # a dev instance keeps dagster's first-visit dialog
        browser.save_screenshot(str(ARTIFACTS / "ui_make_ui.png"))
    finally:
        proc.stop()
    assert not port_in_use(MAKE_UI_PORT), "make ui left its server running"
