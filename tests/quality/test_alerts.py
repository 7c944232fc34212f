"""Alerts reach e-mail and a webhook when a check starts failing, and ONE recovery note follows."""

from __future__ import annotations

import json
import logging
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from dagster import DagsterInstance, build_sensor_context

from orchestration.quality import check_alert, check_failure_alert, health_check
from tests.quality.dagster_support import run_checks
from tests.quality.planted import World
from throughline.alerts import Alert, Notifier, run_url
from throughline.health import HEALTH_CHECKS

MISSED_CALLS = next(c for c in HEALTH_CHECKS if c.name == "missed_calls")
DAGSTER_URL = "http://dagster.example:3000"
INSTANCE_FILE = Path(__file__).parents[2] / "orchestration" / "dagster_home" / "dagster.yaml"


def _tick(instance: DagsterInstance, cursor: str | None) -> str | None:
    context = build_sensor_context(instance=instance, cursor=cursor)
    check_failure_alert(context)
    return context.cursor


def _run(world: World, publish, instance: DagsterInstance) -> str:
    publish(world)
    return run_checks([health_check(MISSED_CALLS)], instance).run_id


def _instance(kind: str, home: Path, monkeypatch: pytest.MonkeyPatch) -> DagsterInstance:
    """An in-memory instance, or one as `make dev` and a deployment run it: from the project's
    instance file (its event log on disk, which Dagster's default would split by run)."""
    if kind == "in memory":
        return DagsterInstance.ephemeral()
    home.mkdir()
    shutil.copyfile(INSTANCE_FILE, home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return DagsterInstance.get()


@pytest.mark.parametrize("kind", ["in memory", "project instance file"])
def test_alert_then_exactly_one_recovery(
    kind: str, world: World, publish, smtp_server, webhook_receiver, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (mail_url, mail), (hook_url, hook) = smtp_server, webhook_receiver
    monkeypatch.setenv("THROUGHLINE_ALERT_URLS", f"{mail_url}, {hook_url}")
    monkeypatch.setenv("THROUGHLINE_DAGSTER_URL", DAGSTER_URL)
    instance = _instance(kind, tmp_path / "dagster_home", monkeypatch)
    calls = world.frames["marts.fct_calls"]
    clean_missed = calls["is_missed"].copy()
    taras = (calls["manager_id"] == "2") & (calls["call_id"].str[-1].astype(int) < 3)

    cursor = _tick(instance, _tick(instance, None))  # nothing has run: nothing to say
    assert mail.messages == [] and hook.messages == []

    calls.loc[taras, "is_missed"] = True
    broken_run = _run(world, publish, instance)
    for _ in range(3):  # still failing on later runs and ticks: no repeated alert
        cursor = _tick(instance, cursor)
        _run(world, publish, instance)
    cursor = _tick(instance, cursor)
    assert len(mail.messages) == 1 and len(hook.messages) == 1
    alert_mail = mail.messages[0]
    assert alert_mail.startswith("Throughline problem: missed_calls on marts/fct_calls")
    assert "A manager misses too many incoming calls." in alert_mail
    assert "Figure: 75.0 % (threshold 30.0 %)" in alert_mail
    assert "Where: manager Taras: missed 21 of 28 calls (75%)" in alert_mail
    assert f"Since: {world.now.date() - timedelta(days=6)}" in alert_mail
    assert f"Run: {DAGSTER_URL}/runs/{broken_run}" in alert_mail
    webhook = json.loads(hook.messages[0])
    assert webhook["title"] == "Throughline problem: missed_calls on marts/fct_calls"
    assert "manager Taras" in webhook["message"] and broken_run in webhook["message"]

    calls["is_missed"] = clean_missed
    fixed_run = _run(world, publish, instance)
    for _ in range(3):
        cursor = _tick(instance, cursor)
        _run(world, publish, instance)
    _tick(instance, cursor)
    assert len(mail.messages) == 2 and len(hook.messages) == 2
    recovery = mail.messages[1]
    assert recovery.startswith("Throughline back to normal: missed_calls on marts/fct_calls")
    assert "passes again" in recovery and f"{DAGSTER_URL}/runs/{fixed_run}" in recovery


def test_alert_text_names_figure_threshold_where_since_and_run() -> None:
    alert = Alert(
        check="spend_spike",
        asset="marts/fct_ad_spend",
        problem="A campaign's daily spend jumped far above its usual level.",
        figure="5.0",
        threshold="3.0",
        subjects=("google_ads campaign 'Brand Search' (111)",),
        since="2026-11-20",
        run_id="abc-123",
    )
    assert alert.body("http://127.0.0.1:3000/") == (
        "A campaign's daily spend jumped far above its usual level.\n"
        "Figure: 5.0 (threshold 3.0)\n"
        "Where: google_ads campaign 'Brand Search' (111)\n"
        "Since: 2026-11-20\n"
        "Run: http://127.0.0.1:3000/runs/abc-123"
    )
    assert run_url("http://h:3000", "r1") == "http://h:3000/runs/r1"


def test_an_alert_without_a_figure_still_gives_its_threshold() -> None:
    """Nobody called a missed caller back: the median wait has no figure, the limit still shows."""
    alert = Alert(
        check="slow_callbacks",
        asset="marts/fct_calls",
        problem="Missed callers wait too long for a call back.",
        threshold="60.0",
        subjects=("manager Olena: 6 of 6 missed calls not called back",),
    )
    assert alert.body("http://127.0.0.1:3000/") == (
        "Missed callers wait too long for a call back.\n"
        "Threshold: 60.0\n"
        "Where: manager Olena: 6 of 6 missed calls not called back"
    )


def test_no_url_sends_nothing_and_a_bad_url_is_named_while_the_others_still_alert(
    webhook_receiver, caplog: pytest.LogCaptureFixture
) -> None:
    """An entry apprise cannot read is logged (and `throughline doctor` names it); the alerts
    still reach the other URLs, here a webhook given by its plain http:// address."""
    hook_url, hook = webhook_receiver
    alert = Alert(check="c", asset="a", problem="p")
    assert Notifier((), DAGSTER_URL).send(alert) is False
    plain = hook_url.replace("json://", "http://", 1)
    notifier = Notifier(("nonsense-scheme://x", plain), DAGSTER_URL)
    assert notifier.unreadable == ["entry 1 (nonsense-scheme://…)"] and notifier.urls == (plain,)
    assert "THROUGHLINE_ALERT_URLS" in caplog.text and "nonsense-scheme" in caplog.text
    assert notifier.send(alert) is True
    assert [json.loads(message)["title"] for message in hook.messages] == ["Throughline problem: c on a"]


def test_a_webhooks_https_address_never_reaches_the_log(caplog: pytest.LogCaptureFixture) -> None:
    """apprise logged the whole address it could not read before the webhook form was tried, and
    a webhook's secret is in its path."""
    caplog.set_level(logging.DEBUG)
    secret = "https://hooks.example.com/services/T000/B000/SECRETHOOKabc"
    notifier = Notifier((secret,), DAGSTER_URL)
    assert notifier.urls == (secret,) and notifier.unreadable == []
    assert "SECRETHOOKabc" not in caplog.text


def test_sending_never_logs_the_webhooks_address(webhook_receiver, caplog: pytest.LogCaptureFixture) -> None:
    """apprise and urllib3 log the address they post to at DEBUG, a webhook's secret path
    included."""
    hook_url, hook = webhook_receiver
    caplog.set_level(logging.DEBUG)
    secret = hook_url.replace("json://", "http://", 1).replace("/alerts", "/services/T000/SECRETHOOKabc")
    assert Notifier((secret,), DAGSTER_URL).send(Alert(check="c", asset="a", problem="p")) is True
    assert len(hook.messages) == 1
    assert "Sent JSON POST notification." in caplog.text  # apprise's own lines are still logged
    assert "SECRETHOOKabc" not in caplog.text


def test_apprise_lines_keep_only_an_addresses_scheme(caplog: pytest.LogCaptureFixture) -> None:
    """Some of apprise's INFO and WARNING lines name the whole address (ntfy, MQTT, AMQP)."""
    caplog.set_level(logging.INFO)
    logging.getLogger("apprise").info("Sent ntfy notification to '%s'.", "ntfys://user:SECRETpw@ntfy.example/topic")
    assert "Sent ntfy notification to 'ntfys://…'." in caplog.text and "SECRETpw" not in caplog.text


def test_the_first_tick_alerts_only_what_is_failing_now(
    world: World, publish, webhook_receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook_url, hook = webhook_receiver
    monkeypatch.setenv("THROUGHLINE_ALERT_URLS", hook_url)
    instance = DagsterInstance.ephemeral()
    calls = world.frames["marts.fct_calls"]
    clean_missed = calls["is_missed"].copy()
    for missed in (True, False, True):  # failed, recovered, failed again before the sensor ran
        calls.loc[calls["manager_id"] == "2", "is_missed"] = missed or clean_missed
        last_run = _run(world, publish, instance)
    cursor = _tick(instance, None)
    _tick(instance, cursor)
    assert len(hook.messages) == 1
    message = json.loads(hook.messages[0])
    assert message["title"] == "Throughline problem: missed_calls on marts/fct_calls"
    assert last_run in message["message"]


def test_a_run_without_the_dagster_daemon_still_alerts(
    world: World, publish, webhook_receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`throughline run` from cron runs in a throwaway instance, where no sensor ever ticks: the
    run itself sends the alert of each check failing at its end and of its failed steps."""
    from orchestration.runner import RunSummary, send_alerts_without_daemon

    hook_url, hook = webhook_receiver
    monkeypatch.setenv("THROUGHLINE_ALERT_URLS", hook_url)
    instance = DagsterInstance.ephemeral()
    world.frames["marts.fct_calls"].loc[lambda c: c["manager_id"] == "2", "is_missed"] = True
    run_id = _run(world, publish, instance)
    summary = RunSummary(run_id=run_id, selected=[], failed_steps={"dbt_models": "dbt build failed: int_leads"})
    assert send_alerts_without_daemon(instance, summary, "daily_refresh") == 2
    titles = sorted(json.loads(message)["title"] for message in hook.messages)
    assert titles == ["Throughline problem: missed_calls on marts/fct_calls",
                      "Throughline problem: run failed on job daily_refresh"]
    assert any("int_leads" in json.loads(message)["message"] for message in hook.messages)


def test_a_failed_run_in_a_dagster_home_alerts_too(webhook_receiver, monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    """With DAGSTER_HOME set, `throughline run` runs in the instance the daemon watches, but its
    run-failure sensor sees only the runs its code location launches: a failed run alerted no one."""
    from dagster import Definitions, asset, define_asset_job

    from orchestration.runner import materialize_all

    @asset
    def leads_export() -> None:
        raise RuntimeError("CRM answered 503")

    hook_url, hook = webhook_receiver
    monkeypatch.setenv("THROUGHLINE_ALERT_URLS", hook_url)
    definitions = Definitions(assets=[leads_export], jobs=[define_asset_job("daily_refresh")])
    with DagsterInstance.local_temp(str(tmp_path)) as instance:
        summary = materialize_all(progress=False, instance=instance, definitions=definitions)
    assert not summary.success
    assert [json.loads(message)["title"] for message in hook.messages] == [
        "Throughline problem: run failed on job daily_refresh"]
    assert "CRM answered 503" in json.loads(hook.messages[0])["message"]


def test_a_failing_dbt_test_alert_gives_its_failing_rows_against_none() -> None:
    """dagster-dbt gives a data test's check only its status and failing row count: the alert
    says how many rows break it, against a threshold of none."""
    from dagster import AssetCheckEvaluation, AssetKey

    evaluation = AssetCheckEvaluation(
        asset_key=AssetKey(["marts", "fct_leads"]), check_name="relationships_fct_leads_manager_id",
        passed=False, metadata={"dagster_dbt/failed_row_count": 3, "status": "warn",
                                "unique_id": "test.throughline.relationships_fct_leads_manager_id"})
    alert = check_alert(evaluation, "run-1", "2026-12-04 06:00:00")
    assert alert.body(DAGSTER_URL) == (
        "The data test found 3 row(s) that break it.\n"
        "Figure: 3 rows (threshold 0 rows)\n"
        "Since: 2026-12-04 06:00:00\n"
        f"Run: {DAGSTER_URL}/runs/run-1")


def test_a_data_check_passing_again_does_not_say_it_failed() -> None:
    """A passing GX check gives no problem to name: the recovery said "Fixed: The check failed."."""
    from dagster import AssetCheckEvaluation, AssetKey

    evaluation = AssetCheckEvaluation(asset_key=AssetKey(["bitrix24", "leads"]), check_name="great_expectations",
                                      passed=True, metadata={"problem": "none", "rows": 120})
    alert = check_alert(evaluation, "run-2", "2026-12-05 06:00:00")
    assert alert.body(DAGSTER_URL).splitlines()[0] == (
        "Fixed: the check great_expectations on bitrix24/leads passes again.")


@pytest.mark.parametrize(("check", "figure", "threshold", "line"), [
    ("leads_without_source", 0.4642, 0.05, "Figure: 46.4 % (threshold 5.0 %)"),
    ("spend_spike", 4.17, 3.0, "Figure: 4.17× (threshold 3×)"),
    ("hours_since_last_lead", 48.2, 24.0, "Figure: 48.2 h (threshold 24 h)"),
    ("slow_callbacks", 95.0, 60.0, "Figure: 95 min (threshold 60 min)"),
])
def test_a_health_alert_gives_its_figure_in_its_unit(check: str, figure: float, threshold: float, line: str) -> None:
    """A marketer reads 46.4 % of leads, not 0.4642."""
    from dagster import AssetCheckEvaluation, AssetKey

    from throughline.health import HealthResult

    health = next(c for c in HEALTH_CHECKS if c.name == check)
    metadata = HealthResult(False, figure, threshold).metadata(health.problem, health.unit)
    evaluation = AssetCheckEvaluation(asset_key=AssetKey(list(health.asset_key)), check_name=check, passed=False,
                                      metadata={k: v for k, v in metadata.items() if v is not None})
    assert check_alert(evaluation, "run-3", "2026-12-05").body(DAGSTER_URL).splitlines()[1] == line
