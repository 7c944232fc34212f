"""Every contract mart as Parquet and CSV files, for Power BI's folder connector and Looker
Studio's file upload. Each file is written next to its target and renamed into place, so a
reader never opens half a file."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from throughline.publish import CONTRACT_MARTS, check_no_contact_data, read_marts
from throughline.settings import Settings
from throughline.warehouse import Warehouse


def export_marts(out_dir: Path | None = None, settings: Settings | None = None,
                 marts: dict[str, pd.DataFrame] | None = None) -> list[Path]:
    settings = settings or Settings.from_env()
    out = Path(out_dir or settings.data_dir / "exports")
    out.mkdir(parents=True, exist_ok=True)
    marts = marts if marts is not None else read_marts(Warehouse.from_settings(settings))
    written = []
    for mart in CONTRACT_MARTS:
        frame = marts[mart]
        check_no_contact_data(mart, frame)
        for suffix, write in ((".parquet", lambda f, p: f.to_parquet(p, index=False)),
                              (".csv", lambda f, p: f.to_csv(p, index=False))):
            target = out / f"{mart}{suffix}"
            partial = out / f".{mart}{suffix}.partial"
            write(frame, partial)
            os.replace(partial, target)
            written.append(target)
    return written
