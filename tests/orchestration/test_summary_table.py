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
