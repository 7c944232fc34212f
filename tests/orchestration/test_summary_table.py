"""The run summary `throughline run` prints: its checks line counts in words that agree."""

from __future__ import annotations

from rich.console import Console

from orchestration.runner import RunSummary, summary_table


def printed(warned: list[str]) -> str:
    console = Console(width=200, record=True)
    console.print(summary_table(RunSummary(run_id="0123456789", selected=[], warned_checks=warned, passed_checks=3)))
    return console.export_text()


def test_the_checks_line_counts_warnings_in_words_that_agree() -> None:
    assert "0 failed, 1 warning " in printed(["marts/fct_calls: slow_callbacks"])
    assert "0 failed, 2 warnings" in printed(["marts/fct_calls: slow_callbacks", "marts/fct_ad_spend: spend_drop"])


def test_a_failed_steps_error_is_printed_whole() -> None:
    """A source's error ends with its last attempt's error and what to check: it was cut at 200
    characters, in the middle of 'ConnectionError: HTTP...'."""
    error = ("google_ads: the API could not be reached after 5 attempts (GET https://googleads.googleapis.com/v21/"
             "customers/1234567890/googleAds:searchStream); last error: ConnectionError: HTTPSConnectionPool("
             "host='googleads.googleapis.com', port=443): Max retries exceeded. Check the network and base_url")
    console = Console(width=2000, record=True)
    console.print(summary_table(RunSummary(run_id="0123456789", selected=[], failed_steps={"google_ads_raw": error})))
    assert error in console.export_text()


def test_a_follow_up_after_failed_loads_is_printed_with_its_run() -> None:
    console = Console(width=300, record=True)
    console.print(summary_table(RunSummary(
        run_id="0123456789", selected=[], failed_steps={"meta_ads_raw": "HTTP 400: the token expired"},
        follow_up_run_id="abcdef0123", followed_up=["staging/stg_meta_ads__ad_insights", "marts/fct_ad_spend"])))
    row = next(line for line in console.export_text().splitlines() if "built after the failed loads" in line)
    assert " 2 " in row and "run abcdef01" in row and "last loaded data" in row
