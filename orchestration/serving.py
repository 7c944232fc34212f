"""BI publication, mart exports and the owner's report as assets after the marts."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from orchestration.assets.transform import transform_assets
from orchestration.resources import WarehouseResource
from throughline.publish import CONTRACT_MARTS
from throughline.settings import Settings

# After every model of the marts layer, not only those read: the blocking checks on the facts and
# dimensions beside the contract marts (attribution weights summing to one and conserving the
# leads, one row per session, ...) guard the same figures, and hold up what is published.
MARTS_LAYER = sorted({key for assets in transform_assets for key in assets.keys if key.path[0] == "marts"}
                     | {AssetKey(["marts", mart]) for mart in CONTRACT_MARTS}, key=AssetKey.to_user_string)
COMMON = {"group_name": "serving", "owners": ["team:marketing-analytics"], "deps": MARTS_LAYER}


@asset(key=["serving", "bi_publication"], kinds={"postgres"}, **COMMON,
       description="The marts in PostgreSQL schema `bi`, swapped in atomically, for Looker Studio "
                   "and Power BI (read-only role `bi_reader`). Skipped when THROUGHLINE_BI_DSN is not set.")
def bi_publication(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    from throughline.publish import publish_marts

    settings = Settings.from_env()
    if not settings.bi_dsn:
        context.log.info("THROUGHLINE_BI_DSN is not set: the BI publication is skipped")
        return MaterializeResult(metadata={"status": "skipped: THROUGHLINE_BI_DSN not set"})
    result = publish_marts(settings, warehouse.get())
    if result.reader_password_file:  # the password itself never goes to the event log
        context.log.info(f"Created role bi_reader: its generated password is in {result.reader_password_file} "
                         "(readable by this user only)")
    return MaterializeResult(metadata={"rows": sum(result.rows.values()), "seconds": result.seconds})


@asset(key=["serving", "marts_export"], kinds={"parquet", "csv"}, **COMMON,
       description="Every mart as Parquet and CSV under data/exports/ (Power BI folder connector, "
                   "Looker Studio file upload).")
def marts_export(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    from throughline.export import export_marts

    files = export_marts(settings=Settings.from_env(), warehouse=warehouse.get())
    return MaterializeResult(metadata={"files": len(files), "folder": str(files[0].parent) if files else ""})


@asset(key=["serving", "owner_report"], kinds={"html"}, **COMMON,
       description="The owner's weekly report: one HTML page with channel ROMI and decisions, cost "
                   "per customer, campaigns, paths, managers, calls, pacing and data health.")
def owner_report(context: AssetExecutionContext) -> MaterializeResult:
    from throughline.report import write_report

    settings = Settings.from_env()
    paths = [write_report(settings.data_dir / "reports" / name, lang=lang, settings=settings)
             for name, lang in (("owner_report.html", "en"), ("owner_report_uk.html", "uk"))]
    return MaterializeResult(metadata={"report": str(paths[0]), "report_uk": str(paths[1])})


serving_assets = [bi_publication, marts_export, owner_report]
