"""Validate a pandas frame against a GX 1.x suite with an ephemeral context.

GX over DuckDB through SQLAlchemy is unreliable, so every suite runs on a frame read from the
warehouse. The outcome is a plain structure: an error inside GX is a failure, never a pass.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx  # noqa: E402  (telemetry must be off before the import)
from great_expectations.data_context.types.base import (  # noqa: E402
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)

from expectations.suites.common import SuiteSpec, is_key_rule  # noqa: E402

MAX_SAMPLES = 5
# An in-memory context without progress bars: the checks run inside pipelines, not notebooks.
QUIET_CONTEXT = DataContextConfig(
    store_backend_defaults=InMemoryStoreBackendDefaults(),
    progress_bars=ProgressBarsConfig(globally=False),
)


@dataclass(frozen=True)
class Failure:
    """One failed expectation: what it expected, on which column, how many rows, examples."""

    expectation: str
    column: str
    unexpected_count: int | None
    samples: list[Any]
    error: str = ""

    def describe(self) -> str:
        where = f" on {self.column}" if self.column else ""
        if self.error:
            return f"{self.expectation}{where} could not run: {self.error}"
        count = "" if self.unexpected_count is None else f" ({self.unexpected_count} rows)"
        samples = f", e.g. {self.samples}" if self.samples else ""
        return f"{self.expectation}{where} failed{count}{samples}"


@dataclass(frozen=True)
class ValidationOutcome:
    suite: str
    success: bool
    evaluated: int
    rows: int
    failures: list[Failure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # rules on columns the raw table lacks

    def metadata(self) -> dict[str, Any]:
        """Check metadata: the failing expectations and sample values."""
        return {
            "suite": self.suite,
            "rows": self.rows,
            "expectations_evaluated": self.evaluated,
            "expectations_failed": len(self.failures),
            "failures": "\n".join(f.describe() for f in self.failures) or "none",
            "skipped_absent_columns": ", ".join(self.skipped) or "none",
        }


def _columns(config_kwargs: dict[str, Any]) -> str:
    pair = [config_kwargs[k] for k in ("column_A", "column_B") if config_kwargs.get(k)]
    columns = config_kwargs.get("column") or config_kwargs.get("column_list") or pair or ""
    return ", ".join(columns) if isinstance(columns, list) else str(columns)


def _error(exception_info: dict[str, Any] | None) -> str:
    """The message of an exception GX caught; it nests them per metric in 1.x."""
    infos = [exception_info or {}]
    infos += [v for v in (exception_info or {}).values() if isinstance(v, dict)]
    messages = [i.get("exception_message") for i in infos if i.get("raised_exception")]
    return "; ".join(str(m) for m in messages if m)


def _failure(result: Any) -> Failure:
    config = result.expectation_config
    details = result.result or {}
    samples = [str(v) for v in (details.get("partial_unexpected_list") or [])[:MAX_SAMPLES]]
    if not samples and "observed_value" in details:
        samples = [str(details["observed_value"])]
    count = details.get("unexpected_count")
    return Failure(
        config.type, _columns(config.kwargs), count, samples, _error(result.exception_info)
    )


# The attributes by which the expectations the suites use name the columns they read.
COLUMN_ATTRIBUTES = ("column", "column_A", "column_B", "column_list", "row_condition")


def columns_read(expectations: list[Any], columns: Iterable[str]) -> list[str]:
    """The columns (of `columns`, in their order) that the expectations read: named as their
    column(s) or in their row condition; all of them when an expectation names none."""
    if not expectations:
        return list(columns)
    names: set[str] = set()
    for expectation in expectations:
        values = [getattr(expectation, a, None) for a in COLUMN_ATTRIBUTES]
        values = [v for v in values if v is not None]
        if not values:
            return list(columns)
        for value in values:
            for item in value if isinstance(value, list) else [value]:
                names.update(re.findall(r"\w+", str(item)))
    return [c for c in columns if c in names]


def validate_frame(frame: pd.DataFrame, suite: gx.ExpectationSuite) -> ValidationOutcome:
    """Run `suite` on `frame`; any exception inside GX makes the outcome a failure. GX gets only
    the columns the suite reads: it hashes and copies every column it is given (a raw table of
    446k CRM leads took 9 s with its 27 columns, 2.3 s with the 5 its rules read)."""
    frame = frame[columns_read(suite.expectations, frame.columns)]
    try:
        context = gx.get_context(mode="ephemeral", project_config=QUIET_CONTEXT)
        batch = (
            context.data_sources.add_pandas("warehouse")
            .add_dataframe_asset("frame")
            .add_batch_definition_whole_dataframe("whole")
            .get_batch(batch_parameters={"dataframe": normalise_times(frame)})
        )
        result = batch.validate(suite, result_format="SUMMARY")
    except Exception as error:  # noqa: BLE001 - a broken validation must read as failed
        logging.getLogger(__name__).warning("suite %s could not run: %s", suite.name, error)
        failure = Failure("validation", "", None, [], f"{type(error).__name__}: {error}")
        return ValidationOutcome(suite.name, False, 0, len(frame), [failure])
    failures = [_failure(r) for r in result.results if not r.success]
    success = bool(result.success) and not failures
    return ValidationOutcome(suite.name, success, len(result.results), len(frame), failures)


def _as_naive_utc(column: pd.Series) -> pd.Series:
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return column.dt.tz_convert("UTC").dt.tz_localize(None)
    if column.dtype == object:
        values = column.dropna()
        if len(values) and all(isinstance(v, date) for v in values):
            converted = pd.to_datetime(column, utc=True)
            return converted.dt.tz_localize(None)
    return column


def normalise_times(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates and timestamps as naive UTC datetimes, so one bound compares with all of them."""
    return pd.DataFrame({name: _as_naive_utc(frame[name]) for name in frame.columns})


def _cast(frame: pd.DataFrame, column: str, kind: str) -> tuple[pd.Series, Failure | None]:
    """Convert a text column; values that do not convert are a type failure, never dropped."""
    values = frame[column]
    if kind == "number":
        converted = pd.to_numeric(values, errors="coerce")
    else:
        converted = pd.to_datetime(values, errors="coerce", utc=True, format="ISO8601")
    bad = values[values.notna() & converted.isna()]
    if bad.empty:
        return converted, None
    samples = [str(v) for v in bad.head(MAX_SAMPLES)]
    return converted, Failure(f"expect_column_values_to_be_{kind}s", column, len(bad), samples)


def validate(spec: SuiteSpec, frame: pd.DataFrame) -> ValidationOutcome:
    """Validate a frame read for `spec`: casts, the suite, and the rules left out."""
    frame = frame.copy()
    cast_failures = []
    for column, kind in spec.casts.items():
        if column in frame.columns:
            frame[column], failure = _cast(frame, column, kind)
            cast_failures += [failure] if failure else []
    suite = spec.build(frame.columns)
    skipped = sorted(
        {str(r.column) for r in spec.rules() if hasattr(r, "column") and not is_key_rule(r)}
        - set(frame.columns)
    )
    outcome = validate_frame(frame, suite)
    return ValidationOutcome(
        outcome.suite,
        outcome.success and not cast_failures,
        outcome.evaluated,
        outcome.rows,
        [*cast_failures, *outcome.failures],
        skipped if spec.is_raw else [],
    )
