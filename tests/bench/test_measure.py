"""The benchmark harness: a stage's figures, time and memory come back; a failure is reported."""

from bench.measure import run_stage
from bench.stages import MARKOV_SOURCE, _topological


def allocate(mib: int) -> dict:
    block = bytearray(mib * 1024 * 1024)
    return {"bytes": len(block)}


def fail() -> dict:
    raise RuntimeError("broken stage")


def test_a_stage_reports_figures_and_its_own_peak_memory() -> None:
    result = run_stage("allocate", allocate, 200)
    assert result.ok and result.figures == {"bytes": 200 * 1024 * 1024}
    assert result.peak_rss_mib >= 200
    assert result.seconds > 0


def test_a_failing_stage_is_reported_not_hidden() -> None:
    result = run_stage("fail", fail)
    assert not result.ok and "broken stage" in result.error


def test_models_reading_the_markov_table_run_after_its_input() -> None:
    models = {
        "model.throughline.fct_attribution": {"depends_on": {"nodes": [MARKOV_SOURCE, "model.throughline.a"]}},
        "model.throughline.int_markov_transitions": {"depends_on": {"nodes": ["model.throughline.a"]}},
        "model.throughline.a": {"depends_on": {}},
    }
    order = _topological(models)
    assert order.index("model.throughline.int_markov_transitions") < order.index("model.throughline.fct_attribution")
    assert order[0] == "model.throughline.a"


def test_the_peak_memory_judged_is_the_pipelines_not_the_generators() -> None:
    from bench.__main__ import report
    from bench.measure import StageResult

    results = [
        StageResult("generate", 1.0, 9000.0, True, {}),
        StageResult("dbt full build", 1.0, 4200.0, True, {"total_s": 100.0, "slowest": "int_a 60.0"}),
        StageResult("same SQL in raw DuckDB", 1.0, 13000.0, True, {"total_s": 80.0}),
        StageResult("daily run (last day)", 1.0, 3000.0, True, {"total_s": 20.0}),
    ]
    ratios = report("XS", results)["ratios"]
    assert ratios["peak memory GiB"] == 4200.0 / 1024
    assert ratios["dbt / raw DuckDB"] == 100.0 / 80.0
    assert ratios["incremental / full (transform)"] == 20.0 / 100.0
    # the product's daily run is a pipeline stage: its peak is judged too
    results.append(StageResult("throughline run (after ingestion)", 1.0, 5100.0, True, {"total_s": 60.0}))
    assert report("XS", results)["ratios"]["peak memory GiB"] == 5100.0 / 1024
