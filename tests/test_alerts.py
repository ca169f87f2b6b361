"""The check-failure alert sensor (issue 7): one webhook post per failed check evaluation."""

import http.server
import json
import threading

import pyarrow as pa
import pytest
from dagster import DagsterInstance, SensorResult, build_sensor_context
from test_checks import DAY, PLANTED_EMAIL, run, stage_tables, stand_in

from wildchat_dagster.checks import build_check_alert_sensor
from wildchat_dagster.checks.alerts import DEFAULT_WEBSERVER
from wildchat_dagster.core.storage import Storage


class Webhook:
    """A tiny HTTP endpoint on 127.0.0.1 that records JSON posts (or answers 500 while down)."""

    def __init__(self):
        self.posts: list[dict] = []
        self.down = False
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if hook.down:
                    self.send_response(500)
                    self.end_headers()
                    return
                hook.posts.append(json.loads(body))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook():
    hook = Webhook()
    yield hook
    hook.close()


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    return stage_tables(tmp_path_factory.mktemp("tables"))


def tick(sensor, instance, cursor):
    result = sensor(build_sensor_context(instance=instance, cursor=cursor))
    assert isinstance(result, SensorResult) and not result.run_requests
    return result.cursor


def planted_scrubbed_run(tables, base, instance):
    """A run whose PII residue check warns (scrubbed_contract passes in the same run)."""
    scrubbed = tables["scrubbed"]
    content = scrubbed["content"].to_pylist()
    content[0] = f"reach me at {PLANTED_EMAIL}"
    bad = scrubbed.set_column(scrubbed.schema.get_field_index("content"), "content", pa.array(content))
    Storage(str(base)).write_table(f"conversations/dt={DAY}", tables["conversations"])
    result, evaluations, _ = run([stand_in("scrubbed", bad)], ["scrubbed"], base, instance=instance)
    assert not evaluations["scrubbed_no_pii_residue"].passed and evaluations["scrubbed_contract"].passed
    return result.run_id


def test_each_failed_check_is_posted_once(tmp_path, tables, webhook):
    instance = DagsterInstance.ephemeral()
    sensor = build_check_alert_sensor(webhook_url=webhook.url)
    assert tick(sensor, instance, None) == "0"  # nothing evaluated yet
    run_id = planted_scrubbed_run(tables, tmp_path, instance)

    cursor = tick(sensor, instance, "0")
    assert len(webhook.posts) == 1
    cursor_again = tick(sensor, instance, cursor)  # second tick: nothing new
    assert len(webhook.posts) == 1 and cursor_again == cursor

    post = webhook.posts[0]
    assert set(post) == {"text", "blocks"}  # Slack's incoming-webhook format
    text = post["text"] + post["blocks"][0]["text"]["text"]
    for expected in (
        "scrubbed_no_pii_residue",
        "`scrubbed`",
        DAY,
        "WARN",
        "Asset check warning",
        f"{DEFAULT_WEBSERVER}/runs/{run_id}",
        "residue_email): 1 unexpected",
        # issue 15: residue withholds its conversation; the alert says so and links the review queue
        "1 conversation(s) withheld for PII review",
        f"{DEFAULT_WEBSERVER}/assets/pii_review?view=partitions&partition={DAY}",
    ):
        assert expected in text, expected
    assert "blocking" not in text
    assert PLANTED_EMAIL not in json.dumps(post)

    # a later failure is announced once more; the earlier one is not repeated
    second_run = planted_scrubbed_run(tables, tmp_path, instance)
    cursor = tick(sensor, instance, cursor)
    tick(sensor, instance, cursor)
    assert len(webhook.posts) == 2 and second_run in webhook.posts[1]["text"]


def test_undelivered_alert_is_retried_not_lost(tmp_path, tables, webhook, monkeypatch):
    monkeypatch.setenv("WILDCHAT_ALERT_WEBHOOK", webhook.url)
    monkeypatch.setenv("DAGSTER_WEBSERVER_URL", "https://dagster.example.com/")
    instance = DagsterInstance.ephemeral()
    sensor = build_check_alert_sensor()  # reads both variables at each tick
    planted_scrubbed_run(tables, tmp_path, instance)
    webhook.down = True
    cursor = tick(sensor, instance, None)
    assert webhook.posts == []
    webhook.down = False
    cursor = tick(sensor, instance, cursor)
    tick(sensor, instance, cursor)
    assert len(webhook.posts) == 1
    assert "https://dagster.example.com/runs/" in webhook.posts[0]["text"]


def test_without_webhook_the_cursor_still_advances(tmp_path, tables, monkeypatch):
    monkeypatch.delenv("WILDCHAT_ALERT_WEBHOOK", raising=False)
    instance = DagsterInstance.ephemeral()
    planted_scrubbed_run(tables, tmp_path, instance)
    cursor = tick(build_check_alert_sensor(), instance, None)
    assert int(cursor) > 0
