"""Manual costs, the budget plan and the CRM export file: good rows load, bad values are set
aside with file, row, column and reason."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

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
    (tmp_path / "costs.csv").write_text(
        "date_from,date_to,channel,campaign,amount,currency,description\n"
        '2026-09-01,2026-09-30,Organic Search,,"30,000.00",UAH,SEO retainer\n'
        '2026-09-02,2026-09-02,Paid Social,,"12,50",UAH,decimal comma\n'
        '2026-09-03,2026-09-03,Paid Social,,"0,500",UAH,decimal comma\n')
    (tmp_path / "plan.csv").write_text(
        "month,channel,campaign_id,planned_spend,currency\n"
        '2026-09,Paid Search,,"12,500",UAH\n'
        '2026-09,Paid Social,,"1,234,567.5",UAH\n')
    monkeypatch.setenv("SOURCES__MANUAL_COSTS__COSTS_PATH", str(tmp_path / "costs.csv"))
    monkeypatch.setenv("SOURCES__MANUAL_COSTS__PLAN_PATH", str(tmp_path / "plan.csv"))
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
    with pytest.raises(Exception, match="holds no costs lines"):
        load("manual_costs")
    assert query("select description from raw_manual_costs.costs") == [("SEO",)]


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
