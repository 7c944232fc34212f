"""Tabular files users maintain by hand (CSV/XLSX, local or a published sheet's CSV URL):
read them, check each value, keep good rows and set bad ones aside with a clear reason."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from itertools import zip_longest
from pathlib import Path
from typing import Any, get_args, get_type_hints

import dlt
import requests

Parser = Callable[[str], Any]


class FileError(ValueError):
    """The file itself cannot be read (missing, wrong format, missing columns)."""


class RefusedFile(FileError):
    """The file holds nothing to load (only its header, or no row that could be read): refused, so
    that what was loaded from it before is kept."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        # the refusal as rejected_rows lists it: the whole file, no row of it
        self.rejected_row = {"file": file, "row_number": None, "column": "", "value": "", "reason": reason}


@dataclass
class Checked:
    rows: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    refused: RefusedFile | None = None  # the whole file, refused: no rows
    missing: bool = False  # no such file (or sheet)


def kept_as_loaded() -> Any:
    """What a `replace` resource yields to keep its table as loaded before: an append of nothing
    (a replace with nothing would empty it)."""
    return dlt.mark.with_hints([], dlt.mark.make_hints(write_disposition="append"))


# (row number in the file, 1 being the header; the row's values by column name)
Row = tuple[int, dict[str, str]]


def read_rows(location: str, sheet: str | None = None) -> list[Row]:
    """The rows holding a value, as strings, from a CSV/XLSX path or an http(s) CSV URL (header
    row first)."""
    if location.startswith(("http://", "https://")):
        response = requests.get(location, timeout=60)
        if response.status_code != 200:
            raise FileError(f"{location}: HTTP {response.status_code} while downloading the sheet")
        return _csv_rows(_text(response.content, location), location)
    path = Path(location)
    if not path.exists():
        raise FileError(f"{path}: file not found")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_rows(path, sheet)
    return _csv_rows(_text(path.read_bytes(), str(path)), str(path))


EXTRA = "__extra_values__"
# Set on the rows of a ';'- or tab-separated CSV, which Excel writes where the decimal mark is ','.
DECIMAL_COMMA = "__decimal_comma__"


# Where a UTF-8 file holds a byte that is not UTF-8: check_rows refuses the value holding it.
UNREADABLE = "\ufffd"
# A file whose non-ASCII characters decode as UTF-8 this many times more often than not is UTF-8
# with a few broken bytes; Windows-1251 Cyrillic read as UTF-8 is nearly all broken bytes.
UTF8_MAJORITY = 10


def refuse_header_only(rows: list[Row], label: str, what: str, cause: str) -> None:
    """A file that must hold `what` but holds only its header (`cause`: an export or a sheet
    publication that failed) is refused, so that what was loaded before is kept."""
    if not rows:
        raise RefusedFile(label, f"holds no {what}, only its header ({cause}); the {what} loaded before are kept")


def refuse_all_set_aside(rows: list[Row], checked: Checked, label: str, what: str) -> None:
    """A file with rows of which check_rows kept none (dates a spreadsheet rewrote as 02.09.2026,
    columns shifted) is refused as an empty one is: it would replace every one of `what` loaded
    before with nothing."""
    if rows and not checked.rows:
        raise RefusedFile(label, f"none of its {len(rows)} row(s) could be loaded (first: "
                                 f"{listed(checked.rejected[:2])}); the {what} loaded before are kept")


def _text(data: bytes, where: str) -> str:
    """A CSV's text: UTF-16 with its byte-order mark (Excel's "Unicode Text"), UTF-8 (with or
    without a BOM; a few broken bytes are marked UNREADABLE, not a reason to read every name in
    another encoding), else Windows-1251, in which Excel on a Ukrainian or Russian Windows saves a
    sheet as CSV."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    text = data.decode("utf-8-sig", errors="replace")
    broken = text.count(UNREADABLE)
    if broken == 0 or sum(ord(char) > 127 for char in text) - broken >= UTF8_MAJORITY * broken:
        return text
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError as error:
        raise FileError(f"{where}: neither UTF-8 nor Windows-1251 text; save it as CSV UTF-8") from error


def _csv_rows(text: str, where: str) -> list[Row]:
    # ',' or, as Excel saves CSV where the decimal mark is a comma, ';' (or a tab): the header's
    header = text.splitlines()[0] if text else ""
    delimiter = max(",;\t", key=header.count)
    # newline=None: lines may end in \r alone too (Excel's "CSV (Macintosh)")
    records = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    try:
        rows = _rows(next(records, []), records, where)
    except csv.Error as error:
        raise FileError(f"{where}: line {records.line_num} cannot be read as CSV ({error})") from error
    if delimiter != ",":  # a ',' in a number of such a file is the decimal mark, never a thousands one
        for _, row in rows:
            row[DECIMAL_COMMA] = "true"
    return rows


def _called(sheets: Iterable[str], name: str | None) -> str | None:
    """The sheet called `name` however written (`Lead Status History`, None without one)."""
    return next((sheet for sheet in sheets if name and column_name(sheet) == column_name(name)), None)


def sheet_named(path: Path, name: str) -> str | None:
    """The workbook's sheet called `name` however written (None without one)."""
    import openpyxl

    return _called(openpyxl.load_workbook(path, read_only=True).sheetnames, name)


def _xlsx_rows(path: Path, sheet: str | None) -> list[Row]:
    """The rows of the sheet named `sheet` (in any case); a workbook of one sheet is that sheet,
    whatever its name. Which sheet happened to be open when it was saved decides nothing."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    names = book.sheetnames
    chosen = _called(names, sheet)
    if chosen is None and len(names) == 1:
        chosen = names[0]
    if chosen is None:
        wanted = f"no sheet named {sheet!r}" if sheet else "several sheets and no name to choose one by"
        raise FileError(f"{path}: {wanted} (sheets: {', '.join(names)})")
    worksheet = book[chosen]
    # Read-only mode stops at the size the sheet declares, which some writers get wrong (A1 over a
    # whole sheet): every row there is is read, as Excel does.
    worksheet.reset_dimensions()
    records = worksheet.iter_rows(values_only=True)
    return _rows([_cell(name) for name in next(records, ())], ([_cell(v) for v in row] for row in records),
                 f"{path}[{chosen}]")


def _rows(header: list[str], records: Iterable[list[str]], where: str) -> list[Row]:
    """The records under `header` that hold a value: a blank line or a row of empty cells (sheet
    exports write ',,,,,,') is no row. Values past the header's columns are kept under EXTRA.
    Column names are read as `lead_id` however written (`Lead ID`, `LEAD-ID`)."""
    names = [column_name(name) for name in header]
    if not any(names):
        raise FileError(f"{where}: no header row (an empty file?)")
    rows = []
    for number, record in enumerate(records, start=2):
        values = [value.strip() for value in record]
        if not any(values):
            continue
        row = dict(zip_longest(names, values[:len(names)], fillvalue=""))
        if any(values[len(names):]):
            row[EXTRA] = ",".join(values[len(names):])
        rows.append((number, row))
    return rows


def column_name(text: str) -> str:
    """A column's (or a file's, a sheet's) name as the project writes it: `Lead ID` is lead_id."""
    return re.sub(r"[\s-]+", "_", text.strip().lower())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat() if value.time() != datetime.min.time() else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def check_rows(
    rows: list[Row],
    columns: dict[str, tuple[Parser, bool]],
    file_name: str,
    row_check: Callable[[dict[str, Any]], str | None] | None = None,
    key: str | None = None,
) -> Checked:
    """Parse every value; a row with a bad required value (or failing `row_check`, or repeating
    the `key` of an earlier row) is rejected. A bad optional value is left empty and its row kept:
    a typo in a lead's first response time must not lose the lead. Each bad value is listed in
    `rejected`, naming file, row (1 = header), column and reason. `columns`: name -> (parser,
    required)."""
    checked = Checked()
    if rows:
        missing = [c for c, (_, required) in columns.items() if required and c not in rows[0][1]]
        if missing:
            raise FileError(f"{file_name}: missing column(s) {', '.join(missing)}")
    first_row_of: dict[Any, int] = {}
    for number, raw in rows:
        parsed: dict[str, Any] = {}
        problems = []
        dropped_values = []  # bad optional values: the row is kept without them
        if raw.get(EXTRA):
            problems.append(("", raw[EXTRA], "more values than columns (a ',' inside a number?)"))
        for name, (parser, required) in columns.items():
            text = raw.get(name, "")
            if text == "":
                if required:
                    problems.append((name, text, "required value is empty"))
                parsed[name] = None
                continue
            if raw.get(DECIMAL_COMMA) and "," in text and parser in NUMBER_PARSERS:
                problems.append((name, text, "a ',' in a number of a ';'-separated file is a decimal comma; "
                                             "write numbers with '.' (1500.50) and no thousands separator"))
                continue
            try:
                if UNREADABLE in text:
                    raise ValueError("holds bytes that are not UTF-8 text, as the rest of the file is; "
                                     "save the file again as CSV UTF-8")
                parsed[name] = parser(text)
            except (ValueError, InvalidOperation) as exc:
                reason = str(exc) or "invalid value"
                if required:
                    problems.append((name, text, reason))
                else:
                    parsed[name] = None
                    dropped_values.append((name, text, f"{reason}; the row is kept without this value"))
        if not problems and row_check:
            reason = row_check(parsed)
            if reason:
                problems.append(("", "", reason))
        if not problems and key:
            first = first_row_of.setdefault(parsed[key], number)
            if first != number:
                problems.append((key, raw[key], f"{key} repeats row {first}'s (that row is kept)"))
        checked.rejected += [
            {"file": file_name, "row_number": number, "column": c, "value": v, "reason": r}
            for c, v, r in problems + dropped_values
        ]
        if not problems:
            checked.rows.append({**parsed, "source_file": file_name, "row_number": number})
    return checked


def since(rows: list[dict[str, Any]], start_date: str | None,
          day_of: Callable[[dict[str, Any]], date | None]) -> list[dict[str, Any]]:
    """The rows from `start_date` (ISO) on, by the day `day_of` gives each (None: kept); all of
    them without a start date. A file is a snapshot: this is where its history begins."""
    if not start_date:
        return rows
    first = date.fromisoformat(str(start_date)[:10])
    return [row for row in rows if (day := day_of(row)) is None or day >= first]


def iso_date(text: str) -> date:
    """YYYY-MM-DD, or a date-time of that day (an XLSX date cell with a time)."""
    try:
        if len(text) > 10 and text[10] not in "T ":
            raise ValueError
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"not an ISO date (YYYY-MM-DD): {text!r}") from None


def iso_datetime(text: str, zone: tzinfo) -> datetime:
    """An ISO date-time in UTC. One without an offset (an XLSX date cell never has one) is a time on
    the clocks of `zone`, the business's, summer or winter time as on that day."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not an ISO date-time: {text!r}") from None
    try:
        moment = (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(UTC)
        moment.astimezone(zone)  # its day on the business's clock is asked for (start_date)
    except OverflowError:  # .NET's empty date, 0001-01-01T00:00:00 on a clock ahead of UTC
        raise ValueError(f"not a date-time on the calendar: {text!r}") from None
    return moment


# A money amount's column keeps its cents exactly, and 16 digits before the point.
AMOUNT_PRECISION, AMOUNT_SCALE = 18, 2
AMOUNT_DIGITS = AMOUNT_PRECISION - AMOUNT_SCALE

# A number with ',' between groups of three digits, as a published sheet formats it: 1,000.00
# (never a first group of 0: 0,500 is a decimal comma)
THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?")


def decimal_amount(text: str) -> Decimal:
    if "," in text:
        if not THOUSANDS.fullmatch(text):
            raise ValueError(f"a decimal comma is not accepted, use '.' (',' only between thousands, "
                             f"as in 1,000.50): {text!r}")
        text = text.replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not a number: {text!r}") from None
    if not value.is_finite():  # NaN, Infinity
        raise ValueError(f"not a number: {text!r}")
    if abs(value) >= Decimal(10) ** AMOUNT_DIGITS:  # an id typed into an amount: it would fail the whole load
        raise ValueError(f"more than the {AMOUNT_DIGITS} digits before the point an amount may have: {text!r}")
    return value


def non_negative(text: str) -> Decimal:
    value = decimal_amount(text)
    if value < 0:
        raise ValueError(f"negative amount: {text!r}")
    return value


# What a Ukrainian sheet writes for the hryvnia instead of its ISO code (also in Latin letters).
CURRENCY_NAMES = {"ГРН": "UAH", "ГРН.": "UAH", "₴": "UAH", "GRN": "UAH", "HRN": "UAH"}


def currency_code(text: str) -> str:
    code = text.strip().upper()
    code = CURRENCY_NAMES.get(code, code)
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueError(f"not a 3-letter ISO currency code (UAH, USD, EUR, ...): {text!r}")
    return code


def month(text: str) -> str:
    """`YYYY-MM`; a whole date gives its month (a month typed into Excel becomes a date cell, its
    first day)."""
    value = text.strip()
    try:
        parsed = datetime.strptime(value, "%Y-%m") if len(value) <= 7 else datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not a month (YYYY-MM): {text!r}") from None
    return f"{parsed:%Y-%m}"


def boolean(text: str) -> bool:
    value = text.strip().lower()
    if value in ("true", "yes", "1", "y", "так", "да"):
        return True
    if value in ("false", "no", "0", "n", "ні", "нет"):
        return False
    raise ValueError(f"not true/false: {text!r}")


NUMBER_PARSERS = (decimal_amount, non_negative)


def text_value(text: str) -> str:
    return text.strip()


# dlt's column type for what a parser returns.
_DLT_TYPES: dict[type, dict[str, Any]] = {
    str: {"data_type": "text"},
    bool: {"data_type": "bool"},
    date: {"data_type": "date"},
    datetime: {"data_type": "timestamp"},
    Decimal: {"data_type": "decimal", "precision": AMOUNT_PRECISION, "scale": AMOUNT_SCALE},
}


def dlt_columns(columns: dict[str, tuple[Parser, bool]], *, text: Iterable[str] = ()) -> dict[str, dict[str, Any]]:
    """dlt column hints for a table's declared columns (and the extra `text` columns a source
    derives), each typed by its parser's return type: a column no row of a file fills is still
    created, typed, instead of left out with a warning at every load. Fresh dicts on each call:
    dlt writes into the hints it is given."""
    hints = {name: {"data_type": "text"} for name in text}
    for name, (parser, _required) in columns.items():
        returned = get_type_hints(getattr(parser, "func", parser)).get("return")
        kinds = [kind for kind in get_args(returned) or (returned,) if kind is not type(None)]
        if len(kinds) == 1 and kinds[0] in _DLT_TYPES:
            hints[name] = dict(_DLT_TYPES[kinds[0]])
    return hints


def rejected_columns() -> dict[str, dict[str, Any]]:
    """dlt column hints of a rejected_rows holding refusals (RefusedFile.rejected_row): a row_number
    column even when no entry has one (fresh dicts: dlt writes into them)."""
    return {"file": {"data_type": "text"}, "row_number": {"data_type": "bigint"}, "column": {"data_type": "text"},
            "value": {"data_type": "text"}, "reason": {"data_type": "text"}}


def listed(rejected: list[dict[str, Any]]) -> str:
    """Bad values by row and column, with their reasons (within one file)."""
    return "; ".join(f"row {r['row_number']}" + (f" column {r['column']}" if r["column"] else "") + f": {r['reason']}"
                     for r in rejected)


def log_rejects(log: Any, source: str, rejected: list[dict[str, Any]], shown: int = 5) -> None:
    """One warning per file load naming the first bad values (all are kept in rejected_rows)."""
    if not rejected:
        return
    details = "; ".join(f"{r['file']} {listed([r])}" for r in rejected[:shown])
    log.warning("%s: %d bad value(s) set aside in rejected_rows: %s%s", source, len(rejected),
                details, " ..." if len(rejected) > shown else "")
