"""Jobs as asset selections: the whole graph daily, CRM and calls with their models hourly."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

CRM_SOURCES = ("bitrix24", "crm_file", "calltracking")
MODEL_GROUPS = ("staging", "intermediate", "marts")

everything = AssetSelection.all()
crm_and_calls = AssetSelection.groups(*CRM_SOURCES)
# The rates load with them (not the models on them alone): a deal won today in another currency
# is priced at today's rate, and a missing rate stops the build.
crm_models = (crm_and_calls | AssetSelection.groups("fx_rates")
              | (crm_and_calls.downstream() & AssetSelection.groups(*MODEL_GROUPS)))

daily_refresh_job = define_asset_job(
    name="daily_refresh",
    selection=everything,
    description="Everything: every source, dbt model and check, Markov, BI publication, report.",
)

crm_hourly_job = define_asset_job(
    name="crm_hourly_refresh",
    selection=crm_models,
    description="CRM (Bitrix24 or CRM file), call tracking, the day's exchange rates, and the models on them.",
)

jobs = [daily_refresh_job, crm_hourly_job]
