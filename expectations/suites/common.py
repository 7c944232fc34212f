"""Small builders shared by the raw and mart suites (one expectation list per rule)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import great_expectations as gx
from great_expectations import expectations as gxe
from great_expectations.expectations import Expectation

# An ISO 4217 code, any of them: NBU publishes rates for some forty currencies, and a code with no
# rate stops the build naming it and the day (dbt's fail_on_missing_fx_rate), not this check.
CURRENCY_CODE = "^[A-Za-z]{3}$"
# Timestamps may run a little ahead of the warehouse clock (provider clocks, time zones).
FUTURE_TOLERANCE = timedelta(days=1)
# dlt's load ids: "<epoch seconds>.<fraction>", ten digits before the point until 2286, so
# they sort as text in load order.
DLT_LOAD_ID = re.compile(r"[0-9]{10}\.[0-9]+")


@dataclass(frozen=True)
class SuiteSpec:
    """A suite, the asset it validates, the frame it reads and whether a failure blocks."""

    asset_key: tuple[str, str]
    rules: Callable[[], list[Expectation]]
    blocking: bool
    query: str | None = None  # SQL for the frame; default: the whole table, or its newest loads
    # Raw columns an API delivers as text: "number" or "time", converted before validation.
    casts: Mapping[str, str] = field(default_factory=dict)
    # The connector may leave the table out (a part of the source not configured, an optional
    # file): a missing table is then nothing to check, not a warning.
    optional: bool = False

    @property
    def name(self) -> str:
        return "_".join(self.asset_key)

    def table(self) -> str:
        schema, table = self.asset_key
        return f"{schema}.{table}" if schema == "marts" else f"raw_{schema}.{table}"

    def sql(self, loaded_after: str | None = None) -> str:
        """The frame's SQL. `loaded_after`, a dlt load id, limits a raw table read whole
        (`reads_by_load`) to the rows later loads wrote."""
        if loaded_after is None:
            return self.query or f"select * from {self.table()}"
        if not self.reads_by_load:
            raise ValueError(f"{self.name} reads {self.sql()!r}, not the table by load")
        if not DLT_LOAD_ID.fullmatch(loaded_after):
            raise ValueError(f"{self.name}: {loaded_after!r} is not a dlt load id")
        return f"select * from {self.table()} where _dlt_load_id > '{loaded_after}'"

    @property
    def is_raw(self) -> bool:
        return self.asset_key[0] != "marts"

    @property
    def reads_by_load(self) -> bool:
        """A raw table without a query of its own: its check can skip the loads already checked."""
        return self.is_raw and self.query is None

    def build(self, columns: Iterable[str] | None = None) -> gx.ExpectationSuite:
        """The suite; for a raw table, value rules on columns it lacks are left out (dlt creates
        no column that every row left empty), key rules never are."""
        rules = self.rules()
        if columns is not None and self.is_raw:
            present = set(columns)
            rules = [r for r in rules if is_key_rule(r) or getattr(r, "column", None) in present]
        return gx.ExpectationSuite(name=self.name, expectations=rules)


def newest_load(frame: Any) -> str | None:
    """The newest dlt load id among a raw frame's rows (None: no row, or not loaded by dlt)."""
    ids = frame["_dlt_load_id"].dropna() if "_dlt_load_id" in frame else []
    return str(max(ids)) if len(ids) else None


def is_key_rule(rule: Expectation) -> bool:
    return isinstance(
        rule,
        gxe.ExpectColumnValuesToNotBeNull
        | gxe.ExpectColumnValuesToBeUnique
        | gxe.ExpectCompoundColumnsToBeUnique,
    )


def columns_exist(columns: Sequence[str]) -> list[Expectation]:
    return [gxe.ExpectColumnToExist(column=c) for c in columns]


def keys(*columns: str) -> list[Expectation]:
    """Key columns present and, together, unique."""
    present = required(*columns)
    if len(columns) == 1:
        return [*present, gxe.ExpectColumnValuesToBeUnique(column=columns[0])]
    return [*present, gxe.ExpectCompoundColumnsToBeUnique(column_list=list(columns))]


def required(*columns: str) -> list[Expectation]:
    """Columns every row fills (a key part, the moment of an event)."""
    return [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in columns]


def unique_together(*columns: str) -> list[Expectation]:
    """A grain whose members may be NULL (a channel-level plan has no campaign): unique rows."""
    return [gxe.ExpectCompoundColumnsToBeUnique(column_list=list(columns))]


def not_negative(*columns: str) -> list[Expectation]:
    return [gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in columns]


# Money computed in floating point (spread costs, FX) may land a hair below zero.
MONEY_TOLERANCE = 0.005


def money_not_negative(*columns: str) -> list[Expectation]:
    """Money ≥ 0 to the half cent: -1e-14 from float arithmetic is zero, -0.01 is not."""
    return [
        gxe.ExpectColumnValuesToBeBetween(column=c, min_value=-MONEY_TOLERANCE) for c in columns
    ]


def currency_code(column: str) -> list[Expectation]:
    """Three letters, a currency's code (empty where the record has no amount)."""
    return [gxe.ExpectColumnValuesToMatchRegex(column=column, regex=CURRENCY_CODE)]


def one_of(column: str, values: Sequence[str], where: str | None = None) -> list[Expectation]:
    """Values in the set (on the rows meeting the pandas condition `where`, if given)."""
    if where is None:
        return [gxe.ExpectColumnValuesToBeInSet(column=column, value_set=list(values))]
    return [
        gxe.ExpectColumnValuesToBeInSet(
            column=column, value_set=list(values), row_condition=where, condition_parser="pandas"
        )
    ]


def rates(*columns: str) -> list[Expectation]:
    """Shares of a whole (missed / calls, won / closed): within [0, 1]."""
    return [gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1) for c in columns]


def at_most(part: str, whole: str) -> list[Expectation]:
    """A count of a subset never exceeds the count it is part of (answered <= calls)."""
    return [
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A=whole, column_B=part, or_equal=True)
    ]


def not_future(*columns: str) -> list[Expectation]:
    """Dates and timestamps no later than tomorrow (frames carry them as naive UTC)."""
    limit = (datetime.now(UTC) + FUTURE_TOLERANCE).replace(tzinfo=None)
    return [gxe.ExpectColumnValuesToBeBetween(column=c, max_value=limit) for c in columns]


def null_when_zero(ratio: str, denominator: str) -> list[Expectation]:
    """A ratio is NULL on rows whose denominator is 0 (never 0 or infinity)."""
    return [
        gxe.ExpectColumnValuesToBeNull(
            column=ratio, row_condition=f"{denominator} == 0", condition_parser="pandas"
        )
    ]
