"""Reading the user's tables and writing results for the command line (private)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .._common.persist import max_file_bytes
from ..errors import FileError
from ._errors import UsageError

READERS = (".csv", ".parquet", ".pq", ".tsv", ".txt")


def parse_map(items: Iterable[str] | None) -> dict[str, str]:
    """``["lead=opportunity_id,stage=deal_stage", "time=date"]`` -> {canonical: user column}."""
    out: dict[str, str] = {}
    for item in items or ():
        for part in str(item).split(","):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                raise UsageError(f"--map {part!r}: expected NAME=COLUMN, e.g. --map lead=opportunity_id")
            name, col = (x.strip() for x in part.split("=", 1))
            if not name or not col:
                raise UsageError(f"--map {part!r}: expected NAME=COLUMN, e.g. --map lead=opportunity_id")
            out[name] = col
    return out


def parse_list(text: str | None, option: str) -> list[str] | None:
    """``"a,b,c"`` -> ["a", "b", "c"] (None stays None)."""
    if text is None:
        return None
    items = [x.strip() for x in str(text).split(",") if x.strip()]
    if not items:
        raise UsageError(f"{option}: expected a comma-separated list, got {text!r}")
    return items


def parse_stage_dates(text: str | None) -> dict[str, str | None] | None:
    """``"Prospecting=,Engaging=engage_date"`` -> {"Prospecting": None, "Engaging": "engage_date"}."""
    if text is None:
        return None
    out: dict[str, str | None] = {}
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            continue
        stage, _, col = part.partition("=")
        if not stage.strip():
            raise UsageError(f"--stage-dates {part!r}: expected STAGE=DATE_COLUMN (or STAGE= without a date)")
        out[stage.strip()] = col.strip() or None
    if not out:
        raise UsageError(f"--stage-dates: expected STAGE=DATE_COLUMN pairs, got {text!r}")
    return out


def read_table(path: str, mapping: Mapping[str, str], required: Sequence[str] = (), *,
               dates: Sequence[str] = (), where: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read a CSV or Parquet file, rename the user's columns to funnelnet's names by
    ``mapping`` (canonical -> user column; mappings naming absent columns are an error
    only for the ``required`` names), check the required names and parse ``dates``."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(2, "no such file", str(p))
    if p.is_dir():
        raise IsADirectoryError(21, "is a folder, expected a CSV or Parquet file", str(p))
    size, limit = p.stat().st_size, max_file_bytes()
    if size > limit:
        raise FileError(f"cannot read '{p}': it is {size} bytes, over the limit of {limit} bytes "
                        "(raise it with fn.set_max_file_bytes)")
    suffix = p.suffix.lower()
    if suffix in (".parquet", ".pq"):
        try:
            df = pd.read_parquet(p)
        except ImportError:
            raise UsageError(f"{p.name}: reading Parquet needs pyarrow (pip install pyarrow)") from None
        except Exception as e:  # noqa: BLE001 - pyarrow's errors vary by version
            raise UsageError(f"{p.name}: not a readable Parquet file ({' '.join(str(e).split())[:200]})") from None
    elif suffix in (".csv", ".tsv", ".txt", ".gz"):
        df = pd.read_csv(p, sep="\t" if suffix == ".tsv" else ",")
    else:
        raise UsageError(f"{p.name}: unknown file type {suffix!r}; give a .csv or .parquet file")
    for col, value in (where or {}).items():
        if col not in df.columns:
            raise UsageError(f"{p.name}: no column {col!r} (from --where {col}={value}); "
                             f"columns are {', '.join(map(str, df.columns))}")
        df = df[df[col].astype(str).eq(value)]
        if len(df) == 0:
            raise UsageError(f"{p.name}: no row has {col} = {value!r} (--where)")
    cols = {str(c) for c in df.columns}
    rename = {}
    for name, col in mapping.items():
        if col in cols:
            rename[col] = name
        elif name in required and name not in cols:
            raise UsageError(f"{p.name}: no column {col!r} (from --map {name}={col}); "
                             f"columns are {', '.join(map(str, df.columns))}")
    df = df.rename(columns=rename)
    for name in required:
        if name not in df.columns:
            raise UsageError(f"{p.name}: no column {name!r}; name yours with --map {name}=YOUR_COLUMN "
                             f"(columns are {', '.join(map(str, df.columns))})")
    for name in dates:
        if name in df.columns and df[name].dtype.kind not in "iufcmMb":  # text (object or str dtype)
            parsed = pd.to_datetime(df[name], errors="coerce", utc=False)
            bad = np.flatnonzero(parsed.isna().to_numpy() & df[name].notna().to_numpy())
            if bad.size:
                r = int(bad[0])
                raise UsageError(f"{p.name}: row {r + 1}: column {name!r} = {df[name].iloc[r]!r} is not a date")
            df[name] = parsed
    return df


def _jsonable(x: Any) -> Any:
    if isinstance(x, pd.DataFrame):
        return json.loads(x.reset_index().to_json(orient="records", date_format="iso"))
    if isinstance(x, pd.Series):
        return json.loads(x.to_json(date_format="iso"))
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating,)):
        return None if not np.isfinite(x) else float(x)
    return x


def write_output(path: str | None, main: pd.DataFrame, extra: Mapping[str, Any] | None = None) -> str | None:
    """Write ``main`` as CSV, or ``{"table": main, **extra}`` as JSON, by ``path``'s suffix."""
    if path is None:
        return None
    p = Path(path)
    if p.suffix.lower() == ".json":
        payload = {"table": _jsonable(main), **{k: _jsonable(v) for k, v in (extra or {}).items()}}
        p.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    elif p.suffix.lower() == ".csv":
        main.to_csv(p)
    else:
        raise UsageError(f"--out {path}: give a .csv or .json file name")
    return str(p)


def show(title: str, df: pd.DataFrame, rows: int = 20) -> None:
    """Print a titled table (the first ``rows`` rows)."""
    print(f"\n{title}")
    with pd.option_context("display.width", 120, "display.max_columns", 20):
        print(df.head(rows).to_string(float_format=lambda v: f"{v:,.4g}"))
    if len(df) > rows:
        print(f"... {len(df) - rows:,} more rows")
