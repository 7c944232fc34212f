"""BI publication, exports and the owner's report as assets (filled by the BI work)."""

serving_assets: list = []
