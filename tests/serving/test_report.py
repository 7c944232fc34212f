"""The owner's report opens in headless Debian chromium with no console error, its charts
render, and its figures equal the marts' for the same period."""

from __future__ import annotations

import pytest

from throughline.report import number, write_report
from throughline.settings import Settings

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "uk"])
def test_report_renders_with_the_marts_figures(lang, settings_env, served_warehouse, artifacts_dir) -> None:
    from playwright.sync_api import sync_playwright

    path = write_report(settings_env / f"report_{lang}.html", lang=lang, settings=Settings.from_env())
    # the golden business's last credited day is 2026-10-05: the period is 2026-09-08..2026-10-05
    expected = served_warehouse.read_frame("""
        select sum(spend) as spend, sum(leads) as leads, sum(revenue) as revenue
        from marts.mart_channel_performance
        where attribution_model = 'linear' and date between date '2026-09-08' and date '2026-10-05'
    """).iloc[0]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(path.as_uri())
        assert errors == []
        assert "2026-09-08" in page.inner_text("body")
        charts = page.query_selector_all("svg.chart")
        assert len(charts) == 3
        assert all(chart.bounding_box()["height"] > 100 for chart in charts[:1])
        assert page.query_selector_all("svg.chart rect, svg.chart polyline")
        for kpi, digits in (("spend", 0), ("leads", 0), ("revenue", 0)):
            value = page.inner_text(f'[data-kpi="{kpi}"] .value')
            assert value.startswith(number(expected[kpi], digits)), (kpi, value)
        shot = artifacts_dir / ("report.png" if lang == "en" else f"report_{lang}.png")
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
