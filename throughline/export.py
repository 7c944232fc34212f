"""Every contract mart as Parquet and CSV files, for Power BI's folder connector and Looker
Studio's file upload. Each file is written next to its target and renamed into place, so a
reader never opens half a file."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from throughline.publish import CONTRACT_MARTS, check_no_contact_data, read_mart_types, read_marts
from throughline.settings import Settings
from throughline.warehouse import Warehouse

DECIMAL_TYPE = re.compile(r"numeric\((?P<precision>\d+), (?P<scale>\d+)\)")


def export_marts(out_dir: Path | None = None, settings: Settings | None = None,
                 warehouse: Warehouse | None = None) -> list[Path]:
    """The contract marts of `warehouse` (the configured one by default) as files."""
    settings = settings or Settings.from_env()
    out = Path(out_dir or settings.data_dir / "exports")
    out.mkdir(parents=True, exist_ok=True)
    warehouse = warehouse or Warehouse.from_settings(settings)
    marts, catalog = read_marts(warehouse), read_mart_types(warehouse)
    frames = {mart: with_column_types(marts[mart], catalog.get(mart, {})) for mart in CONTRACT_MARTS}
    for mart, frame in frames.items():  # every mart before any file: a refused one leaves the last export whole
        check_no_contact_data(mart, frame)
    written = []
    for mart, frame in frames.items():
        table = parquet_table(frame, catalog.get(mart, {}))
        written.append(_write_atomically(out / f"{mart}.parquet", partial(pq.write_table, table)))
        written.append(_write_atomically(out / f"{mart}.csv", partial(csv_safe(frame).to_csv, index=False)))
    return written


# A cell a spreadsheet would run as a formula (OWASP's CSV injection): a visitor sets a UTM.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with each text value a spreadsheet would take for a formula (`=HYPERLINK(...)`
    in a utm_campaign) led by a quote, as a spreadsheet shows typed text."""
    text = frame.select_dtypes(include=["object", "string"]).columns

    def quoted(value: Any) -> Any:
        return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value

    return frame.assign(**{column: frame[column].map(quoted) for column in text}) if len(text) else frame


def _write_atomically(target: Path, write: Callable[[Path], None]) -> Path:
    """`write(path)` into a hidden file beside `target`, then renamed into place."""
    unfinished = target.with_name(f".{target.name}.partial")
    write(unfinished)
    os.replace(unfinished, target)
    return target


def with_column_types(frame: pd.DataFrame, types: dict[str, str]) -> pd.DataFrame:
    """A mart read into pandas with its counts as integers again (a DuckDB frame has a count
    with NULLs as floats); dates stay pandas timestamps at midnight (CSV writes them as dates)."""
    counts = [column for column, kind in types.items() if kind == "bigint" and column in frame.columns]
    return frame.astype({column: "Int64" for column in counts}) if counts else frame


def parquet_table(frame: pd.DataFrame, types: dict[str, str]) -> Any:
    """The mart (counts already integers: with_column_types) as an Arrow table with the
    warehouse's dates as dates and its decimals (money) as decimals, even with no rows: pandas
    reads DuckDB's decimals as floats, which Power BI would take for floating-point numbers."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table = pa.Table.from_pandas(frame, preserve_index=False)
    for index, name in enumerate(table.column_names):
        kind = types.get(name, "")
        if kind == "date":
            table = table.set_column(index, name, table.column(name).cast(pa.date32()))
        elif (decimal := DECIMAL_TYPE.fullmatch(kind)) and not pa.types.is_decimal(table.column(name).type):
            precision, scale = int(decimal["precision"]), int(decimal["scale"])
            column = table.column(name).cast(pa.float64())  # an empty or all-NULL column arrives untyped
            table = table.set_column(index, name, pc.cast(pc.round(column, scale), pa.decimal128(precision, scale)))
    return table
