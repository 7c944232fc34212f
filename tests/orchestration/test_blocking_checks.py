"""An ERROR (blocking) check stops what is downstream of it in the same run; a WARN one does not."""

from pathlib import Path

import pytest
from dagster import (
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    Definitions,
    asset_check,
)
from demo_support import demo_env

from orchestration.definitions import defs

pytestmark = pytest.mark.slow

RATES = AssetKey(["fx_rates", "rates"])
SELECTION = "group:fx_rates+1"  # the raw rates and the models reading them directly


def failing_check(severity: AssetCheckSeverity) -> AssetChecksDefinition:
    @asset_check(
        asset=RATES,
        name=f"deliberately_failing_{severity.value.lower()}",
        blocking=severity == AssetCheckSeverity.ERROR,
    )
    def _check() -> AssetCheckResult:
        return AssetCheckResult(passed=False, severity=severity, metadata={"figure": 1.0})

    return _check


def _run(severity: AssetCheckSeverity, root: Path, sandbox_env, monkeypatch):
    from orchestration.runner import materialize_all

    for name, value in demo_env(root, sandbox_env).items():
        monkeypatch.setenv(name, value)
    with_check = Definitions.merge(defs, Definitions(asset_checks=[failing_check(severity)]))
    return materialize_all(select=SELECTION, progress=False, definitions=with_check)


def _downstream_models(summary) -> set[str]:
    """The selected models that read the raw rates (not those reading only fx_rates' load log)."""
    from dagster import AssetSelection

    readers = AssetSelection.assets(RATES).downstream(depth=1).resolve(defs.resolve_asset_graph())
    return {label for label in summary.selected if label.startswith("staging/")} & {
        key.to_user_string() for key in readers
    }


def test_a_failing_warn_check_lets_downstream_models_build(
    sandbox_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = _run(AssetCheckSeverity.WARN, tmp_path, sandbox_env, monkeypatch)
    models = _downstream_models(summary)
    assert models, "no staging model reads fx_rates.rates"
    assert models <= set(summary.materialized)
    assert "fx_rates/rates: deliberately_failing_warn" in summary.warned_checks
    assert summary.success


def test_a_failing_error_check_stops_downstream_models(
    sandbox_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = _run(AssetCheckSeverity.ERROR, tmp_path, sandbox_env, monkeypatch)
    assert "fx_rates/rates" in summary.materialized
    assert not _downstream_models(summary) & set(summary.materialized)
    assert "fx_rates/rates: deliberately_failing_error" in summary.failed_checks
    assert not summary.success
