"""Manual costs, the budget plan and the CRM export file: good rows load, bad values are set
aside with file, row, column and reason."""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

COSTS = """date_from,date_to,channel,campaign,amount,currency,description
2026-09-01,2026-09-30,Organic Search,,30000.00,UAH,SEO retainer
2026-09-17,2026-09-17,Webinars,webinar_2026-09-17_pricing,4500,UAH,Webinar
2026-09-05,2026-09-01,Paid Social,,100,UAH,dates reversed
2026-09-10,2026-09-10,Paid Social,,12,5,UAH,comma decimal
2026-09-11,2026-09-11,Paid Social,,-3,UAH,negative
"""
PLAN = """month,channel,campaign_id,planned_spend,currency
2026-09,Paid Search,,50000,UAH
2026-9-x,Paid Social,,1000,USD
"""
COSTS_HEADER, PLAN_HEADER = COSTS.splitlines()[0] + "\n", PLAN.splitlines()[0] + "\n"


def manual_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, costs: str | None = None,
                 plan: str | None = None) -> None:
    """Write costs.csv and plan.csv (those given) and point the manual_costs source at them."""
    for kind, text in (("costs", costs), ("plan", plan)):
        if text is not None:
            (tmp_path / f"{kind}.csv").write_text(text)
            monkeypatch.setenv(f"SOURCES__MANUAL_COSTS__{kind.upper()}_PATH", str(tmp_path / f"{kind}.csv"))


def test_manual_costs_keep_good_rows(tmp_path, monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    (tmp_path / "costs.csv").write_text(COSTS)
    (tmp_path / "plan.csv").write_text(PLAN)
    monkeypatch.setenv("SOURCES__MANUAL_COSTS__COSTS_PATH", str(tmp_path / "costs.csv"))
    monkeypatch.setenv("SOURCES__MANUAL_COSTS__PLAN_PATH", str(tmp_path / "plan.csv"))
    load("manual_costs")
    assert query("select date_from, channel, amount from raw_manual_costs.costs order by date_from") == [
        (date(2026, 9, 1), "Organic Search", Decimal("30000.00")),
        (date(2026, 9, 17), "Webinars", Decimal("4500.00")),
    ]
    assert query("select month, planned_spend from raw_manual_costs.budget_plan") == [
        ("2026-09", Decimal("50000.00"))]
    # each table has its own money column, typed as declared
    assert query("select table_name, column_name, data_type from information_schema.columns "
                 "where table_schema = 'raw_manual_costs' and data_type like 'DECIMAL%' order by 1") == [
        ("budget_plan", "planned_spend", "DECIMAL(18,2)"), ("costs", "amount", "DECIMAL(18,2)")]
    rejected = query('select file, row_number, "column", reason from raw_manual_costs.rejected_rows '
                     "order by file, row_number")
    # row 5 ("12,5") has one value too many, which also shifts "5" into currency
    assert sorted((f, r, c) for f, r, c, _ in rejected) == [
        ("costs.csv", 4, ""), ("costs.csv", 5, ""), ("costs.csv", 5, "currency"),
        ("costs.csv", 6, "amount"), ("plan.csv", 3, "month")]
    assert any("before date_from" in reason for *_, reason in rejected)


LEADS = """lead_id,created_at,status,non_target,manager_id,phone,email,client_id,utm_source,utm_medium,utm_campaign
1,2026-09-02T10:15:42+03:00,won,false,7,067 123 45 67,A@B.UA,GA1.2.1382483615.1522331416,google,cpc,brand
2,yesterday,new,false,7,,,,,,
3,2026-09-03T10:00:00+03:00,junk,maybe,7,,,,,,
"""
DEALS = """deal_id,lead_id,created_at,closed_at,stage,amount,currency,manager_id,manager_name
10,1,2026-09-04T10:00:00+03:00,2026-09-10T10:00:00+03:00,won,1500.50,USD,,Olena Petrenko
"""


def test_crm_export(tmp_path, monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    (tmp_path / "leads.csv").write_text(LEADS)
    (tmp_path / "deals.csv").write_text(DEALS)
    monkeypatch.setenv("SOURCES__CRM_FILE__PATH", str(tmp_path))
    load("crm_file")
    # lead 2's creation time is no time: set aside; lead 3's "maybe" is no non-target flag, an
    # optional column: the lead is kept without it
    assert query("select lead_id, phone_e164, email, client_id, status, non_target from raw_crm_file.leads "
                 "order by lead_id") == [
        ("1", "+380671234567", "a@b.ua", "1382483615.1522331416", "won", False),  # the _ga cookie's client id
        ("3", None, None, None, "junk", None)]
    assert query("select deal_id, stage, amount, currency, manager_name from raw_crm_file.deals") == [
        ("10", "won", Decimal("1500.50"), "USD", "Olena Petrenko")]
    rejected = query('select file, row_number, "column", reason from raw_crm_file.rejected_rows order by row_number')
    assert [(f, r, c) for f, r, c, _ in rejected] == [("leads.csv", 3, "created_at"), ("leads.csv", 4, "non_target")]
    assert rejected[1][3] == "not true/false: 'maybe'; the row is kept without this value"


def test_file_sources_begin_at_start_date(tmp_path, monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    """start_date is where a file's history begins: leads and deals created from then, cost lines
    still running then (the SEO month from 09-01 to 09-30 is), plan months not over by then."""
    leads = LEADS + "4,2026-09-20T09:00:00+03:00,new,false,7,,,,,,\n"
    deals = DEALS + "11,4,2026-09-21T10:00:00+03:00,,open,100,UAH,7\n"
    (tmp_path / "leads.csv").write_text(leads)
    (tmp_path / "deals.csv").write_text(deals)
    (tmp_path / "costs.csv").write_text(COSTS)
    (tmp_path / "plan.csv").write_text(PLAN + "2026-08,Paid Search,,40000,UAH\n")
    # one CSV file as the path: the leads export, with deals.csv beside it
    monkeypatch.setenv("SOURCES__CRM_FILE__PATH", str(tmp_path / "leads.csv"))
    monkeypatch.setenv("SOURCES__CRM_FILE__START_DATE", "2026-09-18")
    monkeypatch.setenv("SOURCES__MANUAL_COSTS__COSTS_PATH", str(tmp_path / "costs.csv"))
    monkeypatch.setenv("SOURCES__MANUAL_COSTS__PLAN_PATH", str(tmp_path / "plan.csv"))
    monkeypatch.setenv("SOURCES__MANUAL_COSTS__START_DATE", "2026-09-18")
    load("crm_file")
    load("manual_costs")
    assert query("select lead_id from raw_crm_file.leads") == [("4",)]
    assert query("select deal_id from raw_crm_file.deals") == [("11",)]
    assert query("select description from raw_manual_costs.costs") == [("SEO retainer",)]
    assert query("select month from raw_manual_costs.budget_plan") == [("2026-09",)]


def test_crm_times_without_an_offset_are_the_business_clock(tmp_path, monkeypatch: pytest.MonkeyPatch,
                                                            load, query) -> None:
    """An XLSX date cell never has an offset: it is a Kyiv time (UTC+3 in summer, UTC+2 in
    winter), not UTC. A lead at 01:00 in Kyiv is on its Kyiv day for start_date (22:00 UTC the
    day before); a time with an offset stays that moment."""
    monkeypatch.delenv("THROUGHLINE_TIMEZONE", raising=False)
    book = openpyxl.Workbook()
    leads = book.active
    leads.title = "leads"
    for row in (["lead_id", "created_at", "first_response_at"],
                ["summer", datetime(2026, 9, 2, 22, 30), "2026-09-02T22:45:00+03:00"],
                ["winter", datetime(2026, 12, 1, 10, 0), None],
                ["early", datetime(2026, 9, 2, 1, 0), None],
                ["before", datetime(2026, 9, 1, 23, 30), None]):
        leads.append(row)
    deals = book.create_sheet("deals")
    deals.append(["deal_id", "created_at", "closed_at", "stage", "amount", "currency"])
    deals.append(["D1", datetime(2026, 12, 1, 12, 0), "2026-12-02 09:00:00", "won", 100, "UAH"])
    book.save(tmp_path / "crm.xlsx")
    monkeypatch.setenv("SOURCES__CRM_FILE__PATH", str(tmp_path / "crm.xlsx"))
    monkeypatch.setenv("SOURCES__CRM_FILE__START_DATE", "2026-09-02")
    load("crm_file")
    assert query("select lead_id, created_at, first_response_at from raw_crm_file.leads order by created_at") == [
        ("early", datetime(2026, 9, 1, 22, 0, tzinfo=UTC), None),
        ("summer", datetime(2026, 9, 2, 19, 30, tzinfo=UTC), datetime(2026, 9, 2, 19, 45, tzinfo=UTC)),
        ("winter", datetime(2026, 12, 1, 8, 0, tzinfo=UTC), None)]
    assert query("select created_at, closed_at from raw_crm_file.deals") == [
        (datetime(2026, 12, 1, 10, 0, tzinfo=UTC), datetime(2026, 12, 2, 7, 0, tzinfo=UTC))]


def test_crm_csv_times_without_an_offset_are_in_the_configured_zone(tmp_path, monkeypatch: pytest.MonkeyPatch,
                                                                    load, query) -> None:
    """THROUGHLINE_TIMEZONE names the business's clock: 22:30 in New York in September (UTC-4) is
    02:30 UTC the next day."""
    monkeypatch.setenv("THROUGHLINE_TIMEZONE", "America/New_York")
    (tmp_path / "leads.csv").write_text("lead_id,created_at\n1,2026-09-02 22:30:00\n")
    monkeypatch.setenv("SOURCES__CRM_FILE__PATH", str(tmp_path / "leads.csv"))
    load("crm_file")
    assert query("select created_at from raw_crm_file.leads") == [(datetime(2026, 9, 3, 2, 30, tzinfo=UTC),)]


def test_a_plan_month_typed_as_a_date_is_its_month(tmp_path, monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    """Excel turns a typed month into a date cell (its first day); a whole ISO date names its
    month too; text that is no month is still set aside."""
    book = openpyxl.Workbook()
    for row in (["month", "channel", "campaign_id", "planned_spend", "currency"],
                [datetime(2026, 9, 1), "Paid Search", None, 50000, "UAH"],
                ["2026-10-01", "Paid Search", None, 40000, "UAH"],
                ["Sept", "Paid Social", None, 1000, "UAH"]):
        book.active.append(row)
    book.save(tmp_path / "plan.xlsx")
    monkeypatch.setenv("SOURCES__MANUAL_COSTS__PLAN_PATH", str(tmp_path / "plan.xlsx"))
    load("manual_costs")
    assert query("select month, planned_spend from raw_manual_costs.budget_plan order by month") == [
        ("2026-09", Decimal("50000.00")), ("2026-10", Decimal("40000.00"))]
    assert query('select row_number, "column", reason from raw_manual_costs.rejected_rows') == [
        (4, "month", "not a month (YYYY-MM): 'Sept'")]


def test_blank_lines_are_no_rows(tmp_path, monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    """A sheet export's rows of empty cells, an empty line and a line of spaces are skipped, not
    rejected as empty required values; a bad value is still named by its row in the file (6)."""
    (tmp_path / "costs.csv").write_text(
        "date_from,date_to,channel,campaign,amount,currency,description\n"
        "2026-09-01,2026-09-30,Organic Search,,30000.00,UAH,SEO retainer\n"
        ",,,,,,\n"
        "\n"
        " , ,,,,,\n"
        "2026-09-02,2026-09-02,Paid Social,,-3,UAH,negative\n"
        ",,,,,,\n")
    monkeypatch.setenv("SOURCES__MANUAL_COSTS__COSTS_PATH", str(tmp_path / "costs.csv"))
    load("manual_costs")
    assert query("select description, row_number from raw_manual_costs.costs") == [("SEO retainer", 2)]
    assert query('select row_number, "column", reason from raw_manual_costs.rejected_rows') == [
        (6, "amount", "negative amount: '-3'")]


def test_a_published_sheets_thousands_separators_are_read(tmp_path, monkeypatch: pytest.MonkeyPatch,
                                                          load, query) -> None:
    """A published Google Sheet writes formatted numbers, quoted: "30,000.00" and "12,500" are
    thirty and twelve and a half thousand; "12,50" could be 12.5 or 1250 and is set aside, as is
    "0,500" (no thousands group starts with 0: half of one, written with a decimal comma)."""
    manual_files(tmp_path, monkeypatch,
                 costs="date_from,date_to,channel,campaign,amount,currency,description\n"
                       '2026-09-01,2026-09-30,Organic Search,,"30,000.00",UAH,SEO retainer\n'
                       '2026-09-02,2026-09-02,Paid Social,,"12,50",UAH,decimal comma\n'
                       '2026-09-03,2026-09-03,Paid Social,,"0,500",UAH,decimal comma\n',
                 plan="month,channel,campaign_id,planned_spend,currency\n"
                      '2026-09,Paid Search,,"12,500",UAH\n'
                      '2026-09,Paid Social,,"1,234,567.5",UAH\n')
    load("manual_costs")
    assert query("select amount from raw_manual_costs.costs") == [(Decimal("30000.00"),)]
    assert query("select channel, planned_spend from raw_manual_costs.budget_plan order by 1") == [
        ("Paid Search", Decimal("12500.00")), ("Paid Social", Decimal("1234567.50"))]
    assert query('select file, row_number, "column", value, reason from raw_manual_costs.rejected_rows') == [
        ("costs.csv", 3, "amount", "12,50",
         "a decimal comma is not accepted, use '.' (',' only between thousands, as in 1,000.50): '12,50'"),
        ("costs.csv", 4, "amount", "0,500",
         "a decimal comma is not accepted, use '.' (',' only between thousands, as in 1,000.50): '0,500'")]


def test_a_sheet_excel_saved_as_csv_in_windows_1251_with_semicolons(tmp_path, monkeypatch: pytest.MonkeyPatch,
                                                                    load, query) -> None:
    """Excel on a Ukrainian Windows saves "CSV" in Windows-1251 with ';' between values: read as
    the sheet says, Cyrillic included (it failed on the first byte that is not UTF-8)."""
    (tmp_path / "costs.csv").write_bytes(
        "date_from;date_to;channel;campaign;amount;currency;description\r\n"
        "2026-09-01;2026-09-30;Organic Search;;30000.00;UAH;SEO-просування, вересень\r\n".encode("cp1251"))
    monkeypatch.setenv("SOURCES__MANUAL_COSTS__COSTS_PATH", str(tmp_path / "costs.csv"))
    load("manual_costs")
    assert query("select channel, amount, description from raw_manual_costs.costs") == [
        ("Organic Search", Decimal("30000.00"), "SEO-просування, вересень")]


def test_a_utf8_file_with_a_stray_byte_stays_utf8(tmp_path, monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    """One byte that is not UTF-8 (a paste from another program) in a UTF-8 file: every other value
    keeps its Cyrillic, the value holding the byte is refused (an optional one left empty, a
    required one sets its row aside). The whole file was read as Windows-1251 instead, every
    Ukrainian name garbled ('SEO-РїСЂРѕСЃСѓРІР°РЅРЅСЏ')."""
    header = b"date_from,date_to,channel,campaign,amount,currency,description\n"
    seo = "2026-09-01,2026-09-30,Organic Search,,30000.00,UAH,SEO-просування вересень\n".encode()
    webinar = "2026-09-17,2026-09-17,Webinars,,4500,UAH,Вебінар про ціни ".encode() + b"\xff\n"
    influencer = b"2026-09-18,2026-09-18,Influencers\xff,,900,UAH," + "Блогерка\n".encode()
    (tmp_path / "costs.csv").write_bytes(header + seo + webinar + influencer)
    monkeypatch.setenv("SOURCES__MANUAL_COSTS__COSTS_PATH", str(tmp_path / "costs.csv"))
    load("manual_costs")
    assert query("select channel, amount, description from raw_manual_costs.costs order by date_from") == [
        ("Organic Search", Decimal("30000.00"), "SEO-просування вересень"),
        ("Webinars", Decimal("4500.00"), None)]
    assert query('select row_number, "column" from raw_manual_costs.rejected_rows order by row_number') == [
        (3, "description"), (4, "channel")]


def test_column_names_written_otherwise_and_a_capitalised_deals_file_are_read(
        tmp_path, monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    """`Lead ID`, `UTM_Source` and `Non-Target` are lead_id, utm_source and non_target, and
    `Deals.csv` is the deals table: they were ignored, a won deal's close date and a lead's source
    silently empty."""
    (tmp_path / "leads.csv").write_text("Lead ID,Created At,Status,UTM_Source,Non-Target\n"
                                        "1,2026-09-02T10:15:42+03:00,won,google,no\n")
    (tmp_path / "Deals.csv").write_text("Deal_ID,Lead_ID,Created_At,Closed_At,Stage,Amount,Currency\n"
                                        "10,1,2026-09-04T10:00:00+03:00,2026-09-10T10:00:00+03:00,won,1500,UAH\n")
    monkeypatch.setenv("SOURCES__CRM_FILE__PATH", str(tmp_path))
    load("crm_file")
    assert query("select lead_id, utm_source, non_target from raw_crm_file.leads") == [("1", "google", False)]
    assert query("select deal_id, closed_at is not null from raw_crm_file.deals") == [("10", True)]


def test_a_lead_listed_twice_is_set_aside_naming_the_first(tmp_path, monkeypatch: pytest.MonkeyPatch, load,
                                                           query) -> None:
    (tmp_path / "leads.csv").write_text("lead_id,created_at,status\n1,2026-09-02T10:00:00+03:00,new\n"
                                        "2,2026-09-02T11:00:00+03:00,new\n1,2026-09-02T12:00:00+03:00,won\n")
    monkeypatch.setenv("SOURCES__CRM_FILE__PATH", str(tmp_path))
    load("crm_file")
    assert query("select lead_id, status from raw_crm_file.leads order by lead_id") == [("1", "new"), ("2", "new")]
    assert query('select row_number, "column", reason from raw_crm_file.rejected_rows') == [
        (4, "lead_id", "lead_id repeats row 2's (that row is kept)")]


@pytest.mark.parametrize("export", ["lead_id,created_at,status\n", ""], ids=["only a header", "empty"])
def test_an_empty_export_keeps_the_leads_loaded_before(export: str, tmp_path, monkeypatch: pytest.MonkeyPatch,
                                                       load, query) -> None:
    """The file replaces the table each load: an export that failed would have emptied it."""
    (tmp_path / "leads.csv").write_text("lead_id,created_at,status\n1,2026-09-02T10:00:00+03:00,new\n")
    monkeypatch.setenv("SOURCES__CRM_FILE__PATH", str(tmp_path))
    load("crm_file")
    (tmp_path / "leads.csv").write_text(export)
    with pytest.raises(Exception, match="holds no leads|no header row"):
        load("crm_file")
    assert query("select lead_id from raw_crm_file.leads") == [("1",)]


def test_a_comma_in_a_semicolon_file_is_a_decimal_comma_and_hryvnia_may_be_grn(
        tmp_path, monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    """Excel writes ';' between values where ',' is the decimal mark: its 1,500 is one and a half,
    not 1500 (it was read as 1500). `грн` is the hryvnia; a Cyrillic code of another is no ISO code."""
    (tmp_path / "costs.csv").write_text(
        "date_from;date_to;channel;campaign;amount;currency;description\n"
        "2026-09-01;2026-09-30;Organic Search;;1,500;UAH;SEO\n"
        "2026-09-01;2026-09-30;Influencers;;2000;грн;Blogger\n"
        "2026-09-01;2026-09-30;Influencers;;100;ДОЛ;Blogger\n")
    monkeypatch.setenv("SOURCES__MANUAL_COSTS__COSTS_PATH", str(tmp_path / "costs.csv"))
    load("manual_costs")
    assert query("select channel, amount, currency from raw_manual_costs.costs") == [
        ("Influencers", Decimal("2000.00"), "UAH")]
    assert query('select row_number, "column" from raw_manual_costs.rejected_rows order by 1') == [
        (2, "amount"), (4, "currency")]


def test_a_cost_line_of_decades_is_set_aside_and_an_empty_costs_file_refused(
        tmp_path, monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    """A typo in a year (2062) made a ten-year line whose days past ten years were lost; a costs
    sheet that failed to publish (only its header) emptied the costs."""
    (tmp_path / "costs.csv").write_text(COSTS.splitlines()[0] + "\n"
                                        "2026-09-01,2026-09-30,Organic Search,,30000.00,UAH,SEO\n"
                                        "2026-01-01,2062-12-31,Organic Search,,12000,UAH,SEO typo\n")
    monkeypatch.setenv("SOURCES__MANUAL_COSTS__COSTS_PATH", str(tmp_path / "costs.csv"))
    load("manual_costs")
    assert query("select description from raw_manual_costs.costs") == [("SEO",)]
    assert query("select row_number, reason from raw_manual_costs.rejected_rows") == [
        (3, "a period of 13514 days, more than ten years: a typo in date_to 2062-12-31?")]
    (tmp_path / "costs.csv").write_text(COSTS.splitlines()[0] + "\n")
    load("manual_costs")
    assert query("select description from raw_manual_costs.costs") == [("SEO",)]
    assert query("select reason from raw_manual_costs.rejected_rows") == [
        ("holds no costs lines, only its header (a sheet that failed to publish?); the costs lines loaded before "
         "are kept",)]


@pytest.mark.parametrize("encoded", [
    b"lead_id,created_at,status\r1,2026-09-02T10:00:00+03:00,new\r",  # Excel's "CSV (Macintosh)"
    "lead_id\tcreated_at\tstatus\r\n1\t2026-09-02T10:00:00+03:00\tnew\r\n".encode("utf-16"),  # "Unicode Text"
], ids=["lines ending in CR", "UTF-16"])
def test_excels_other_text_formats_are_read(encoded: bytes, tmp_path, monkeypatch: pytest.MonkeyPatch, load,
                                            query) -> None:
    """They failed with a bare CSV error naming no file, or as missing every column."""
    (tmp_path / "leads.csv").write_bytes(encoded)
    monkeypatch.setenv("SOURCES__CRM_FILE__PATH", str(tmp_path))
    load("crm_file")
    assert query("select lead_id, status from raw_crm_file.leads") == [("1", "new")]


def test_a_csv_that_cannot_be_parsed_is_named_with_its_line(tmp_path) -> None:
    """An unclosed quote swallows the lines after it until the field outgrows Python's limit: a
    bare `_csv.Error` named no file."""
    from ingestion.common.files import FileError, read_rows

    (tmp_path / "leads.csv").write_text('lead_id,note\n1,"unclosed\n' + "2,a note\n" * 20000, encoding="utf-8")
    with pytest.raises(FileError, match=r"leads.csv: line \d+ cannot be read as CSV"):
        read_rows(str(tmp_path / "leads.csv"))


def test_a_date_with_digits_after_it_and_nan_are_bad_values() -> None:
    """2026-09-0112 was read as 2026-09-01; NaN failed with '[<class 'decimal.InvalidOperation'>]'."""
    from ingestion.common.files import iso_date, non_negative

    assert iso_date("2026-09-01T10:00:00") == date(2026, 9, 1)
    with pytest.raises(ValueError, match="not an ISO date"):
        iso_date("2026-09-0112")
    with pytest.raises(ValueError, match="not a number: 'NaN'"):
        non_negative("NaN")


def test_a_costs_workbook_is_read_from_its_costs_sheet(tmp_path, monkeypatch: pytest.MonkeyPatch, load,
                                                       query) -> None:
    """The sheet that happened to be open when the workbook was saved was read (here last year's),
    and the others ignored without a word: a workbook's costs are its sheet named `costs`; one of
    several sheets, none of them named so, is refused naming them."""
    header = ["date_from", "date_to", "channel", "campaign", "amount", "currency", "description"]
    book = openpyxl.Workbook()
    book.active.title = "2025"
    for row in (header, ["2025-09-01", "2025-09-30", "Organic Search", None, 100, "UAH", "last year"]):
        book.active.append(row)
    costs = book.create_sheet("Costs")
    for row in (header, ["2026-09-01", "2026-09-30", "Organic Search", None, 200, "UAH", "this year"]):
        costs.append(row)
    book.active = 0
    book.save(tmp_path / "costs.xlsx")
    monkeypatch.setenv("SOURCES__MANUAL_COSTS__COSTS_PATH", str(tmp_path / "costs.xlsx"))
    load("manual_costs")
    assert query("select description from raw_manual_costs.costs") == [("this year",)]
    costs.title = "2026"
    book.save(tmp_path / "costs.xlsx")
    with pytest.raises(Exception, match=r"no sheet named 'costs' \(sheets: 2025, 2026\)"):
        load("manual_costs")


def test_a_column_no_row_fills_is_still_loaded_typed(tmp_path, monkeypatch: pytest.MonkeyPatch, load, query,
                                                    capfd: pytest.CaptureFixture[str]) -> None:
    # deals without a manager's name or the contact's phone, leads without a non-target flag
    (tmp_path / "leads.csv").write_text("lead_id,created_at,non_target\n1,2026-09-02T10:15:42+03:00,\n")
    (tmp_path / "deals.csv").write_text("deal_id,lead_id,created_at,stage,amount,currency,manager_name,contact_phone\n"
                                        "10,1,2026-09-04T10:00:00+03:00,open,100,UAH,,\n")
    monkeypatch.setenv("SOURCES__CRM_FILE__PATH", str(tmp_path))
    load("crm_file")
    types = dict(query("select table_name || '.' || column_name, data_type from information_schema.columns "
                       "where table_schema = 'raw_crm_file'"))
    assert types["deals.manager_name"] == "VARCHAR"
    assert types["deals.contact_phone_e164"] == "VARCHAR"
    assert types["deals.closed_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["deals.amount"] == "DECIMAL(18,2)"
    assert types["leads.non_target"] == "BOOLEAN"
    assert types["leads.first_response_at"] == "TIMESTAMP WITH TIME ZONE"
    assert query("select deal_id, manager_name, contact_phone_e164 from raw_crm_file.deals") == [("10", None, None)]
    assert "did not receive any data" not in capfd.readouterr().err


def test_an_amount_too_large_for_the_warehouse_is_a_bad_value(tmp_path, monkeypatch: pytest.MonkeyPatch, load,
                                                              query) -> None:
    """An 18-digit Meta campaign id typed into planned_spend passed the checks and failed the load
    in the warehouse's decimal(18,2) column, naming no file or row (and dlt tried that failed load
    again at every later one): an amount has at most 16 digits before the point."""
    manual_files(tmp_path, monkeypatch,
                 costs=COSTS_HEADER + "2026-09-01,2026-09-30,Organic Search,,9999999999999999.99,UAH,largest\n"
                                      "2026-09-01,2026-09-30,Organic Search,,1e16,UAH,too large\n",
                 plan=PLAN_HEADER + "2026-09,Paid Social,,50000,UAH\n"
                                    "2026-09,Paid Social,50000,120210000000000000,UAH\n")
    load("manual_costs")
    assert query("select planned_spend from raw_manual_costs.budget_plan") == [(Decimal("50000.00"),)]
    assert query("select amount from raw_manual_costs.costs") == [(Decimal("9999999999999999.99"),)]
    assert query('select file, row_number, "column", reason from raw_manual_costs.rejected_rows order by file') == [
        ("costs.csv", 3, "amount", "more than the 16 digits before the point an amount may have: '1e16'"),
        ("plan.csv", 3, "planned_spend",
         "more than the 16 digits before the point an amount may have: '120210000000000000'")]


def test_a_dotnet_empty_date_is_a_bad_value(tmp_path, monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    """.NET tools export an empty date as 0001-01-01T00:00:00. On Kyiv's clock (UTC+2:02 then) it is
    a moment before year 1 in UTC, which no date-time holds: the whole CRM load failed with "date
    value out of range", naming no file. Deal 11's empty close date is left empty, lead 2 without
    its creation time is set aside."""
    monkeypatch.delenv("THROUGHLINE_TIMEZONE", raising=False)
    (tmp_path / "leads.csv").write_text("lead_id,created_at,status\n1,2026-09-02T10:00:00+03:00,new\n"
                                        "2,0001-01-01T00:00:00,new\n")
    (tmp_path / "deals.csv").write_text(
        "deal_id,lead_id,created_at,closed_at,stage,amount,currency\n"
        "10,1,2026-09-04T10:00:00+03:00,2026-09-05T10:00:00+03:00,won,100,UAH\n"
        "11,1,2026-09-04T10:00:00+03:00,0001-01-01T00:00:00,open,50,UAH\n")
    monkeypatch.setenv("SOURCES__CRM_FILE__PATH", str(tmp_path))
    load("crm_file")
    assert query("select lead_id from raw_crm_file.leads") == [("1",)]
    assert query("select deal_id, closed_at from raw_crm_file.deals order by deal_id") == [
        ("10", datetime(2026, 9, 5, 7, 0, tzinfo=UTC)), ("11", None)]
    assert query('select file, row_number, "column", reason from raw_crm_file.rejected_rows order by file') == [
        ("deals.csv", 3, "closed_at",
         "not a date-time on the calendar: '0001-01-01T00:00:00'; the row is kept without this value"),
        ("leads.csv", 3, "created_at", "not a date-time on the calendar: '0001-01-01T00:00:00'")]


def test_a_time_the_business_clock_cannot_show_is_a_bad_value() -> None:
    """The last moment of 9999 in UTC is in year 10000 in Kyiv: taken, it failed later, where the
    lead's local day is asked for (START_DATE)."""
    from zoneinfo import ZoneInfo

    from ingestion.common.files import iso_datetime

    with pytest.raises(ValueError, match="not a date-time on the calendar: '9999-12-31T23:00:00Z'"):
        iso_datetime("9999-12-31T23:00:00Z", ZoneInfo("Europe/Kyiv"))


def test_hryvnia_written_in_latin_letters_is_uah(tmp_path, monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    """`grn` and `hrn` were taken for currency codes: the build then stopped with "No exchange rate
    to UAH for GRN", naming no file or row."""
    manual_files(tmp_path, monkeypatch, costs=COSTS_HEADER + "2026-09-05,2026-09-05,Influencers,,100,grn,a\n"
                                                             "2026-09-06,2026-09-06,Influencers,,200,HRN,b\n"
                                                             "2026-09-07,2026-09-07,Influencers,,300,Hrn,c\n")
    load("manual_costs")
    assert query("select amount, currency from raw_manual_costs.costs order by amount") == [
        (Decimal("100.00"), "UAH"), (Decimal("200.00"), "UAH"), (Decimal("300.00"), "UAH")]


def test_a_leads_file_whose_every_row_is_set_aside_keeps_the_leads_loaded_before(
        tmp_path, monkeypatch: pytest.MonkeyPatch, load, query) -> None:
    """The same export opened and saved again by Excel on a Ukrainian Windows (';', Windows-1251,
    dates 02.09.2026 10:00): every row was set aside and the leads loaded before were all gone."""
    (tmp_path / "leads.csv").write_text("lead_id,created_at,status\n1,2026-09-02 10:00:00,new\n"
                                        "2,2026-09-03 11:00:00,new\n")
    monkeypatch.setenv("SOURCES__CRM_FILE__PATH", str(tmp_path))
    load("crm_file")
    (tmp_path / "leads.csv").write_bytes("lead_id;created_at;status\r\n1;02.09.2026 10:00;новий\r\n"
                                         "2;03.09.2026 11:00;новий\r\n".encode("cp1251"))
    with pytest.raises(Exception, match=re.escape(
            "leads.csv: none of its 2 row(s) could be loaded (first: row 2 column created_at: not an ISO "
            "date-time: '02.09.2026 10:00'; row 3 column created_at: not an ISO date-time: '03.09.2026 11:00'); "
            "the leads loaded before are kept")):
        load("crm_file")
    assert query("select lead_id from raw_crm_file.leads order by 1") == [("1",), ("2",)]


def test_a_sheet_declaring_too_few_rows_is_read_whole(tmp_path) -> None:
    """Some writers declare a sheet's size wrongly (`<dimension ref="A1:D3"/>` over 10 rows), and
    openpyxl's read-only mode believed it: 2 leads of 10 were read, without a word."""
    from ingestion.common.files import read_rows

    book = openpyxl.Workbook()
    book.active.append(["lead_id", "created_at", "status", "non_target"])
    for day in range(1, 11):
        book.active.append([day, datetime(2026, 9, day, 10, 0), "new", False])
    book.save(tmp_path / "written.xlsx")
    with zipfile.ZipFile(tmp_path / "written.xlsx") as written, \
            zipfile.ZipFile(tmp_path / "leads.xlsx", "w") as declared_wrongly:
        for item in written.infolist():
            data = written.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:D3"/>', data)
            declared_wrongly.writestr(item, data)
    rows = read_rows(str(tmp_path / "leads.xlsx"))
    assert [(number, row["lead_id"]) for number, row in rows] == [(day + 1, str(day)) for day in range(1, 11)]


def test_a_refused_file_keeps_its_own_lines_and_the_other_file_loads(
        tmp_path, monkeypatch: pytest.MonkeyPatch, load, query, caplog: pytest.LogCaptureFixture) -> None:
    """A plan file holding only its header (a template not filled in yet) failed the whole load:
    a valid costs file never loaded. Now a refused file keeps its lines loaded before, says why in
    rejected_rows and the log, and the other file loads; likewise a costs file whose every line is
    set aside (dates Excel rewrote as 01.09.2026) no longer empties the costs."""
    seo = "2026-09-01,2026-09-30,Organic Search,,30000,UAH,SEO\n"
    manual_files(tmp_path, monkeypatch, costs=COSTS_HEADER + seo, plan=PLAN_HEADER + "2026-09,Paid Search,,50000,UAH\n")
    load("manual_costs")

    manual_files(tmp_path, monkeypatch, costs=COSTS_HEADER + seo + "2026-09-17,2026-09-17,Webinars,,4500,UAH,Webinar\n",
                 plan=PLAN_HEADER)
    load("manual_costs")
    assert query("select description, amount from raw_manual_costs.costs order by 1") == [
        ("SEO", Decimal("30000.00")), ("Webinar", Decimal("4500.00"))]
    assert query("select month, planned_spend from raw_manual_costs.budget_plan") == [("2026-09", Decimal("50000.00"))]
    refusal = ("holds no plan lines, only its header (a sheet that failed to publish?); "
               "the plan lines loaded before are kept")
    assert query('select file, row_number, "column", reason from raw_manual_costs.rejected_rows') == [
        ("plan.csv", None, "", refusal)]
    assert f"plan.csv: {refusal}" in caplog.text

    manual_files(tmp_path, monkeypatch, costs=COSTS_HEADER + "01.09.2026,30.09.2026,Organic Search,,30000,UAH,SEO\n",
                 plan=PLAN_HEADER + "2026-10,Paid Search,,40000,UAH\n")
    load("manual_costs")
    assert query("select description from raw_manual_costs.costs order by 1") == [("SEO",), ("Webinar",)]
    assert query("select month from raw_manual_costs.budget_plan") == [("2026-10",)]
    assert query('select file, row_number, "column", reason from raw_manual_costs.rejected_rows '
                 "order by row_number nulls last, 3") == [
        ("costs.csv", 2, "date_from", "not an ISO date (YYYY-MM-DD): '01.09.2026'"),
        ("costs.csv", 2, "date_to", "not an ISO date (YYYY-MM-DD): '30.09.2026'"),
        ("costs.csv", None, "", "none of its 1 row(s) could be loaded (first: row 2 column date_from: not an ISO "
                                "date (YYYY-MM-DD): '01.09.2026'; row 2 column date_to: not an ISO date "
                                "(YYYY-MM-DD): '30.09.2026'); the costs lines loaded before are kept")]

    # a file loaded again replaces its lines: the refused loads left nothing behind
    manual_files(tmp_path, monkeypatch, costs=COSTS_HEADER + "2026-10-01,2026-10-31,Organic Search,,31000,UAH,SEO\n")
    load("manual_costs")
    assert query("select amount from raw_manual_costs.costs") == [(Decimal("31000.00"),)]
    assert query("select count(*) from raw_manual_costs.rejected_rows") == [(0,)]


def test_a_deals_export_gone_from_the_folder_keeps_the_deals_loaded_before(
        tmp_path, monkeypatch: pytest.MonkeyPatch, load, query, caplog: pytest.LogCaptureFixture) -> None:
    """deals.csv renamed (`Deals export.csv`) or moved: the next load emptied the deals table with
    no word, and revenue, ROMI and CAC fell to nothing. The deals loaded before are kept, with a
    warning; the file with its header only empties them. `lead-status-history.csv` is the status
    history, as `Lead ID` is lead_id."""
    (tmp_path / "leads.csv").write_text("lead_id,created_at,status\n1,2026-09-02T10:00:00+03:00,new\n")
    deals = "deal_id,lead_id,created_at,closed_at,stage,amount,currency\n"
    (tmp_path / "deals.csv").write_text(deals + "10,1,2026-09-04T10:00:00+03:00,2026-09-10T10:00:00+03:00,won,1500,"
                                                "UAH\n")
    (tmp_path / "lead-status-history.csv").write_text("lead_id,changed_at,status\n1,2026-09-02T10:30:00+03:00,won\n")
    monkeypatch.setenv("SOURCES__CRM_FILE__PATH", str(tmp_path))
    load("crm_file")
    assert query("select lead_id, status from raw_crm_file.lead_status_history") == [("1", "won")]
    (tmp_path / "deals.csv").rename(tmp_path / "Deals export.csv")
    load("crm_file")
    assert query("select deal_id, amount from raw_crm_file.deals") == [("10", Decimal("1500.00"))]
    assert "no deals.csv (or sheet 'deals') in" in caplog.text and "the deals loaded before are kept" in caplog.text
    (tmp_path / "deals.csv").write_text(deals)
    load("crm_file")
    assert query("select count(*) from raw_crm_file.deals") == [(0,)]
