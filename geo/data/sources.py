"""
Read and normalise the city's official files (and files shaped like them).

Every reader returns a table with documented, normalised columns. Problems that make a file unusable
raise a `geo.core.errors.DataError` subclass naming the file, column or rows; problems that leave it usable
are added to an optional `geo.core.report.Report`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.core.errors import CrsError, FileFormatError, IdError, MissingColumnError
from geo.core.report import Report
from geo.core.settings import CITY_EXTENT, METRIC_CRS, STORAGE_CRS, env_number
from geo.data.indicators import catalogue

#: Cell contents that mean "no value" in the city's tables.
MISSING_TOKENS = frozenset({"", ".", "-", "–", "x", "X", "nan", "NaN", "None"})

ID_COLUMNS = ("sozialraum_id", "sozialraum-id", "sozialraum", "sozialraumid", "sr_id")
#: Headers of an official classification of need (kept as text, shown as it is).
TYPE_COLUMNS = (
    "official_type",
    "typ",
    "sozialraumtyp",
    "typisierung",
    "gebietstyp",
    "handlungsbedarf",
    "sozialer handlungsbedarf",
)
_CID = re.compile(r"\(cid:(\d+)\)")
#: PDF extraction leaves `(cid:N)` where a ligature glyph was; the ones seen in the Quartiersatlas.
_CID_GLYPHS = {"192": "fl"}
_TRUNCATED_ENDINGS = (
    "und",
    "bis",
    "zwischen",
    "der",
    "die",
    "das",
    "am",
    "an",
    "im",
    "zum",
    "zur",
    "vom",
)


def normalise_id(value: object, *, width: int = 6) -> str | None:
    """
    A Sozialraum ID as a `width`-digit string, restoring leading zeros lost by spreadsheets.

    Returns None when `value` is not a whole number of at most `width` digits.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    text = re.sub(r"\.0+$", "", text)
    if not text.isdigit() or len(text) > width:
        return None
    return text.zfill(width)


def _normalised_ids(values: pd.Series, *, width: int, path: Path, column: str, first_row: int) -> pd.Series:
    """
    `values` as `width`-digit IDs; raise `IdError` naming every bad row (numbered from `first_row`).

    `first_row` is 2 for a table with a header line, 1 for the features of a geodata file.
    """
    ids = values.map(lambda v: normalise_id(v, width=width))
    bad = np.flatnonzero(ids.isna().to_numpy())
    if len(bad):
        rows = [f"{i + first_row}: {values.iloc[i]}" for i in bad]
        raise IdError("error.id_malformed", file=path.name, column=column, values=rows)
    return ids


def _require_column(columns: list[str], wanted: tuple[str, ...], *, path: Path, label: str) -> str:
    """The first of `wanted` in `columns` (case-insensitive); `MissingColumnError` naming `label` if none."""
    found = find_column(columns, wanted)
    if found is None:
        raise MissingColumnError("error.column_missing", file=path.name, column=label, found=columns)
    return found


def find_column(columns: list[str], wanted: tuple[str, ...]) -> str | None:
    """The first of `wanted` (lower case) among `columns`, compared without case and outer spaces; None if none."""
    folded = {str(c).strip().casefold(): c for c in columns}
    for w in wanted:
        if w in folded:
            return str(folded[w])
    return None


# --- geometry ------------------------------------------------------------------------------------


def read_vector(path: Path) -> gpd.GeoDataFrame:
    """
    A vector file's one layer (GeoJSON, Shapefile, GeoPackage, zipped), checked for size and content.

    Raises
    ------
    FileFormatError
        Missing, empty, too large, unreadable, several layers, no features or no geometry, each by name.
    """
    if not path.exists():
        raise FileFormatError("error.file_missing", file=str(path))
    if path.stat().st_size == 0:
        raise FileFormatError("error.file_empty", file=path.name)
    check_input_size(path)
    try:
        layers = pyogrio.list_layers(path)
        if len(layers) > 1:  # a zip or GeoPackage with several layers: taking the first would be a guess
            names = [str(name) for name, _kind in layers]
            raise FileFormatError("error.several_layers", file=path.name, layers=names)
        gdf = gpd.read_file(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise FileFormatError("error.vector_unreadable", file=path.name, reason=str(exc)[:200]) from exc
    if gdf.empty:
        raise FileFormatError("error.no_features", file=path.name)
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        raise FileFormatError("error.no_geometry", file=path.name)  # e.g. a spreadsheet with a map's name
    return gdf


def _require_geometry(gdf: gpd.GeoDataFrame, path: Path, *, kinds: tuple[str, ...], expected: str) -> None:
    """Every feature has a geometry of one of `kinds` (points as Sozialräume are refused, with what was found)."""
    missing = gdf.geometry.isna() | gdf.geometry.is_empty
    if missing.any():
        numbers = [int(i) + 1 for i in np.flatnonzero(missing.to_numpy())]
        raise FileFormatError("error.geometry_missing", file=path.name, features=numbers)
    found = sorted(set(gdf.geometry.geom_type) - set(kinds))
    if found:
        raise FileFormatError("error.wrong_geometry", file=path.name, expected=expected, found=found)


#: Longitude and latitude bounds of Germany: data that lands here only with its axes swapped was swapped.
_GERMANY = (5.8, 47.2, 15.1, 55.1)


def _check_axes(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Refuse longitude and latitude swapped (Düsseldorf off the coast of Somalia), naming the swap."""
    minx, miny, maxx, maxy = gdf.total_bounds
    west, south, east, north = _GERMANY

    def inside(x0: float, y0: float, x1: float, y1: float) -> bool:
        return west <= x0 and x1 <= east and south <= y0 and y1 <= north

    if not inside(minx, miny, maxx, maxy) and inside(miny, minx, maxy, maxx):
        raise CrsError("error.axes_swapped", file=path.name)


def _check_city(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Refuse a layer none of whose features lies in Düsseldorf (`CITY_EXTENT`), saying where it lies."""
    present = gdf.geometry[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    if present.empty or present.intersects(shapely.box(*CITY_EXTENT)).any():
        return
    minx, miny, maxx, maxy = present.total_bounds
    raise CrsError(
        "error.outside_city",
        file=path.name,
        lon=f"{minx:.2f}–{maxx:.2f}",
        lat=f"{miny:.2f}–{maxy:.2f}",
    )


def _likely_crs(bounds: np.ndarray) -> str:
    minx, miny, maxx, maxy = bounds
    if 32_000_000 < minx < 33_000_000:
        return "EPSG:4647"  # UTM 32N with the zone number prefixed to the easting
    if minx > 200_000 and maxx < 900_000 and miny > 5_000_000 and maxy < 6_200_000:
        return METRIC_CRS
    if 2_000_000 < minx < 3_000_000 and miny > 5_000_000:
        return "EPSG:31466"  # Gauss-Krüger zone 2
    return METRIC_CRS


def ensure_crs(gdf: gpd.GeoDataFrame, path: Path, report: Report | None) -> gpd.GeoDataFrame:
    """
    Return `gdf` in EPSG:4326.

    A file without a CRS is taken as EPSG:4326 only when its coordinates are plausible longitudes and
    latitudes. GeoJSON without a `crs` member is WGS84 by its standard (RFC 7946) and GDAL reads it so;
    metric coordinates in such a file are refused too, naming the likely CRS.
    """
    bounds = gdf.total_bounds
    lonlat = -180 <= bounds[0] <= bounds[2] <= 180 and -90 <= bounds[1] <= bounds[3] <= 90
    if gdf.crs is None or gdf.crs.is_geographic:
        if not lonlat:
            raise CrsError("error.crs_missing", file=path.name, crs=_likely_crs(bounds))
        if gdf.crs is None:
            if report is not None:
                report.warning("crs_assumed", file=path.name)
            return gdf.set_crs(STORAGE_CRS)
    try:
        return gdf.to_crs(STORAGE_CRS)
    except Exception as exc:  # pyproj raises several types for unusable CRS definitions
        raise CrsError("error.crs_unusable", file=path.name, crs=str(gdf.crs)) from exc


def _repair(gdf: gpd.GeoDataFrame, ids: pd.Series, report: Report | None) -> gpd.GeoDataFrame:
    geoms = gdf.geometry.array
    missing = gdf.geometry.isna() | gdf.geometry.is_empty
    if missing.any() and report is not None:
        report.error("geometry_missing", ids=ids[missing].tolist())
    invalid = ~missing & ~gdf.geometry.is_valid
    if invalid.any():
        fixed = shapely.make_valid(np.asarray(geoms[invalid.to_numpy()]))
        # make_valid may return collections with lines: keep the polygonal part
        fixed = [
            shapely.union_all(shapely.get_parts(g)[shapely.get_type_id(shapely.get_parts(g)) >= 3])
            if shapely.get_type_id(g) == 7
            else g
            for g in fixed
        ]
        gdf.loc[invalid, gdf.geometry.name] = fixed
        if report is not None:
            report.warning("geometry_repaired", ids=ids[invalid].tolist())
    return gdf


def read_sozialraeume(path: str | Path, *, report: Report | None = None) -> gpd.GeoDataFrame:
    """
    Read Sozialraum polygons from GeoJSON, GeoPackage or a (zipped) Shapefile, in any declared CRS.

    Parameters
    ----------
    path
        The file. A file that declares no CRS is taken as EPSG:4326 only when its coordinates are
        plausible longitudes and latitudes.
    report
        Receives non-fatal findings: assumed CRS, repaired geometry, duplicate or missing IDs.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326, sorted by ID, with columns `sozialraum_id` (6 characters), `stadtteil_nr`
        (3 characters), `stadtbezirk` (int 1-10), `name` (when the file has names) and `geometry`.
    """
    path = Path(path)
    gdf = read_vector(path)
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    id_col = _require_column(columns, (*ID_COLUMNS, "id"), path=path, label="SOZIALRAUM_ID")
    present = ~(gdf.geometry.isna() | gdf.geometry.is_empty)  # missing ones are reported by ID below
    _require_geometry(gdf[present], path, kinds=("Polygon", "MultiPolygon"), expected="Polygon, MultiPolygon")
    gdf = ensure_crs(gdf, path, report)
    _check_axes(gdf, path)
    _check_city(gdf, path)
    ids = _normalised_ids(gdf[id_col], width=6, path=path, column=id_col, first_row=1)
    gdf = _repair(gdf, ids, report)
    out = gpd.GeoDataFrame({"sozialraum_id": ids}, geometry=gdf.geometry.values, crs=STORAGE_CRS)
    out["stadtteil_nr"] = out["sozialraum_id"].str[:3]
    bezirk_col = find_column(list(gdf.columns), ("stadtbezirk", "bezirk"))
    derived = out["stadtteil_nr"].str[:2].astype(int)
    if bezirk_col is not None:
        given = pd.to_numeric(gdf[bezirk_col], errors="coerce")
        out["stadtbezirk"] = given.fillna(derived).astype(int).to_numpy()
    else:
        out["stadtbezirk"] = derived
    name_col = find_column(list(gdf.columns), ("name", "sozialraum_name"))
    if name_col is not None:
        out["name"] = gdf[name_col].astype("string").to_numpy()
    dupes = sorted(out.loc[out["sozialraum_id"].duplicated(), "sozialraum_id"].unique())
    if dupes and report is not None:
        report.error("duplicate_id", ids=dupes, file=path.name)
    return out.sort_values("sozialraum_id", kind="stable").reset_index(drop=True)


def read_stadtteile(path: str | Path, *, report: Report | None = None) -> gpd.GeoDataFrame:
    """
    Read the 50 Stadtteile (official file: properties `Name` and `Nummer`).

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326, columns `stadtteil_nr` (3 characters), `name`, `stadtbezirk` (int) and `geometry`.
    """
    path = Path(path)
    gdf = read_vector(path)
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    nr_col = _require_column(
        columns, ("nummer", "stadtteil_nr", "stadtteilnr", "nr"), path=path, label="Nummer"
    )
    name_col = _require_column(columns, ("name", "stadtteil", "stadtteilname"), path=path, label="Name")
    gdf = ensure_crs(gdf, path, report)
    numbers = _normalised_ids(gdf[nr_col], width=3, path=path, column=nr_col, first_row=1)
    gdf = _repair(gdf, numbers, report)
    out = gpd.GeoDataFrame(
        {"stadtteil_nr": numbers, "name": gdf[name_col].astype(str).str.strip()},
        geometry=gdf.geometry.values,
        crs=STORAGE_CRS,
    )
    out["stadtbezirk"] = out["stadtteil_nr"].str[:2].astype(int)
    return out.sort_values("stadtteil_nr").reset_index(drop=True)


def stadtbezirke(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """
    Dissolve Stadtteile or Sozialräume (column `stadtbezirk`) into the 10 Stadtbezirke.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns `stadtbezirk` and `geometry`, in the CRS of `areas`.
    """
    dissolved = areas[["stadtbezirk", "geometry"]].dissolve(by="stadtbezirk", method="coverage")
    return dissolved.reset_index()


# --- tables --------------------------------------------------------------------------------------


def _decode(raw: bytes, name: str) -> str:
    if b"\x00" in raw[:4096]:
        raise FileFormatError("error.encoding", file=name)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileFormatError("error.encoding", file=name)


#: A part that unpacks to more than this many times its packed size is no table a city writes (the real
#: Quartiersatlas: 5 times); above 1 MB such a part is refused before it is read (a "zip bomb").
MAX_XLSX_RATIO = 100
#: The sheet's own statement of its size: ``<dimension ref="A1:BX172"/>``.
_DIMENSION = re.compile(rb'<dimension\s+ref="[A-Z]+\d+:([A-Z]+)(\d+)"')


def max_input_bytes() -> int:
    """The largest file an import reads, unpacked (`SOZIALRAUM_IMPORT_MAX_MB`, default 20 MB)."""
    return int(env_number("SOZIALRAUM_IMPORT_MAX_MB") * 1024 * 1024)


def max_cells() -> int:
    """The most table cells an import reads (`SOZIALRAUM_IMPORT_MAX_CELLS`, default 200,000)."""
    return int(env_number("SOZIALRAUM_IMPORT_MAX_CELLS"))


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters.decode("ascii"):
        number = number * 26 + ord(ch) - 64
    return number


def check_input_size(path: Path, size: int | None = None) -> None:
    """
    Refuse a file bigger than an import reads (`max_input_bytes`), before it is parsed.

    Reading a table takes ten to twenty times its size in memory: a 45 MB CSV took the server to 829 MiB.
    """
    size = path.stat().st_size if size is None else size
    if size > max_input_bytes():
        raise FileFormatError(
            "error.file_too_large",
            file=path.name,
            mb=round(size / 1024 / 1024, 1),
            limit=round(max_input_bytes() / 2**20, 1),
        )


def _check_cells(path: Path, rows: int, columns: int) -> None:
    if rows * columns > max_cells():
        raise FileFormatError(
            "error.too_many_cells", file=path.name, rows=rows, columns=columns, limit=max_cells()
        )


def _check_sheet_cells(archive: zipfile.ZipFile, member: zipfile.ZipInfo, head: bytes, path: Path) -> None:
    """
    Refuse a sheet with more than `max_cells` cells.

    From its stated size, or (when a program wrote none) by counting its cells in a stream, which stops at
    the limit (the whole archive is known to be small by now).
    """
    if size := _DIMENSION.search(head):
        _check_cells(path, int(size.group(2)), _column_number(size.group(1)))
        return
    cells, tail = 0, b""
    with archive.open(member) as part:
        while chunk := part.read(1024 * 1024):
            cells += (tail + chunk).count(b"<c ") - tail.count(b"<c ")
            tail = chunk[-3:]
            if cells > max_cells():
                raise FileFormatError("error.too_many_cells_sheet", file=path.name, limit=max_cells())


def _check_spreadsheet_archive(raw: bytes, path: Path) -> None:
    """
    Refuse a spreadsheet that could harm the reader before any XML parser sees it.

    Its parts may not declare a document type (XML entities can expand to gigabytes, or name local
    files), it may not unpack to more than `max_input_bytes`, no part may unpack to more than `MAX_XLSX_RATIO`
    times its packed size, and no sheet may say it holds more than `max_cells` cells. All of this is read
    from the archive's directory and the first bytes of each part: nothing is unpacked whole.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
            unpacked = sum(m.file_size for m in members)
            if unpacked > max_input_bytes():
                raise FileFormatError(
                    "error.xlsx_too_large", file=path.name, limit=max_input_bytes() // (1024 * 1024)
                )
            for member in members:
                if member.file_size > 1024 * 1024 and member.file_size > MAX_XLSX_RATIO * max(
                    member.compress_size, 1
                ):
                    raise FileFormatError("error.xlsx_packed", file=path.name, part=member.filename)
            for member in members:
                if not member.filename.endswith((".xml", ".rels")):
                    continue
                with archive.open(member) as part:
                    head = part.read(8192)
                if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                    raise FileFormatError("error.xlsx_doctype", file=path.name, part=member.filename)
                if member.filename.startswith("xl/worksheets/"):
                    _check_sheet_cells(archive, member, head, path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise FileFormatError("error.xlsx_unreadable", file=path.name) from exc


def _refuse_formulas_without_values(raw: bytes, sheet: str, path: Path) -> None:
    """
    Refuse a sheet whose formulas were never calculated, naming cells.

    Such a sheet (saved by a program that keeps no results) reads as empty, and every Sozialraum would be
    reported as uninhabited.
    """
    import openpyxl  # noqa: PLC0415 - only spreadsheets need it

    try:
        formulas = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False)[sheet]
        values = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)[sheet]
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise FileFormatError("error.xlsx_unreadable", file=path.name) from exc
    empty = []
    for f_row, v_row in zip(formulas.iter_rows(), values.iter_rows(), strict=False):
        for f_cell, v_cell in zip(f_row, v_row, strict=False):
            if isinstance(f_cell.value, str) and f_cell.value.startswith("=") and v_cell.value is None:
                empty.append(f_cell.coordinate)
    if empty:
        raise FileFormatError("error.formulas_without_values", file=path.name, sheet=sheet, cells=empty)


def read_table(path: str | Path, *, sheet: str | None = None) -> pd.DataFrame:
    """
    Read a CSV or XLSX table as text cells, whatever its delimiter and encoding.

    Parameters
    ----------
    path
        A `.csv`/`.txt` file (`;`, `,` or tab delimited; UTF-8, UTF-8 with BOM or cp1252) or an
        `.xlsx` file.
    sheet
        XLSX sheet name; default: `Profildaten` when present, else the first sheet.

    Returns
    -------
    pandas.DataFrame
        All cells as stripped strings; headers as in the file.
    """
    path = Path(path)
    if not path.exists():
        raise FileFormatError("error.file_missing", file=str(path))
    check_input_size(path)
    raw = path.read_bytes()
    if not raw.strip():
        raise FileFormatError("error.file_empty", file=path.name)
    if path.suffix.lower() in {".xlsx", ".xlsm"} or raw[:2] == b"PK":
        _check_spreadsheet_archive(raw, path)
        try:
            sheets = pd.ExcelFile(io.BytesIO(raw), engine="openpyxl").sheet_names
        except Exception as exc:  # openpyxl raises many types for damaged files
            raise FileFormatError("error.xlsx_unreadable", file=path.name) from exc
        chosen = sheet or ("Profildaten" if "Profildaten" in sheets else sheets[0])
        if chosen not in sheets:
            raise FileFormatError("error.sheet_missing", file=path.name, sheet=chosen, found=sheets)
        _refuse_formulas_without_values(raw, chosen, path)
        frame = pd.read_excel(io.BytesIO(raw), sheet_name=chosen, dtype=str, keep_default_na=False)
    else:
        text = _decode(raw, path.name)
        header = text.splitlines()[0]
        delimiter = max((";", "\t", ","), key=header.count)
        _check_cells(path, text.count("\n"), header.count(delimiter) + 1)
        try:
            frame = pd.read_csv(
                io.StringIO(text),
                sep=delimiter,
                dtype=str,
                keep_default_na=False,
                quoting=csv.QUOTE_MINIMAL,
            )
        except pd.errors.ParserError as exc:
            raise FileFormatError("error.csv_unreadable", file=path.name, reason=str(exc)[:200]) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.apply(lambda col: col.astype(str).str.strip())


def uses_decimal_comma(frame: pd.DataFrame) -> bool:
    """True when any cell of `frame` is a number written with a decimal comma (``12,5``)."""
    pattern = r"-?\d[\d.]*,\d+"
    return any(frame[c].astype(str).str.strip().str.fullmatch(pattern).any() for c in frame.columns)


def parse_numbers(column: pd.Series, *, decimal_comma: bool | None = None) -> tuple[pd.Series, pd.Series]:
    """
    Parse text cells to floats.

    With `decimal_comma` the comma is the decimal mark and points separate thousands (``1.234,5``);
    without, the point is the decimal mark. None decides from the column itself: any comma means
    decimal comma. Decide per file where possible: ``44.121`` is 44.121 in a file written with decimal
    points and 44121 in one written with decimal commas. Cells in `MISSING_TOKENS` are missing.

    Returns
    -------
    tuple of pandas.Series
        The numbers (NaN where missing or unreadable) and a boolean mask of unreadable cells.
    """
    text = column.astype(str).str.strip().str.replace("\u2212", "-", regex=False)
    missing = text.isin(MISSING_TOKENS)
    if decimal_comma is None:
        decimal_comma = bool(text[~missing].str.contains(",", regex=False).any())
    if decimal_comma:
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(text.where(~missing), errors="coerce")
    unreadable = numbers.isna() & ~missing
    return numbers.astype(float), unreadable


_THOUSANDS = r"-?\d{1,3}(?:\.\d{3})+"


def thousands_points(column: pd.Series) -> pd.Series:
    """
    True for cells of a count column that use points as thousands separators (``2.370``, ``12.345.678``).

    Only meaningful where the file writes decimals with a point (no decimal comma anywhere): counts of
    people are whole numbers, so ``2.370`` there is 2370 written the German way, not 2.37 people.
    Cells with another point (``2.5``, ``2.37``) are not matched; a column with any such cell is left as
    it is, because then the points are decimal marks (see `read_indicators`).
    """
    return column.astype(str).str.strip().str.fullmatch(_THOUSANDS)


def looks_truncated(names: pd.Series) -> pd.Series:
    """
    True for names that look cut at a line break of the source PDF (``Garath-Südost und``, ``... Jo-``).

    They end with a hyphen or with a word that cannot end a place name (und, bis, zwischen, an, ...).
    """
    text = names.fillna("").astype(str).str.strip()
    last_word = text.str.split().str[-1].fillna("").str.casefold()
    return text.str.endswith("-") | last_word.isin(_TRUNCATED_ENDINGS)


def mark_truncated(names: pd.Series) -> pd.Series:
    """Names that look cut get a trailing ``…`` so that nobody takes them for complete; others unchanged."""
    cut = looks_truncated(names)
    text = names.fillna("").astype(str).str.rstrip()
    return names.where(~cut, text.where(text.str.endswith("-"), text + " ") + "…")


def _clean_names(names: pd.Series, ids: pd.Series, report: Report | None) -> pd.Series:
    repaired = names.str.replace(_CID, lambda m: _CID_GLYPHS.get(m.group(1), m.group(0)), regex=True)
    if report is not None:
        changed = ids[repaired != names].tolist()
        if changed:
            report.warning("name_repaired", ids=changed)
        garbled = ids[repaired.str.contains(r"\(cid:\d+\)", regex=True)].tolist()
        if garbled:
            report.warning("name_garbled", ids=garbled)
        cut = looks_truncated(repaired)
        if cut.any():
            report.warning("name_truncated", ids=ids[cut].tolist())
    return repaired


def read_indicators(
    path: str | Path, *, sheet: str | None = None, report: Report | None = None
) -> pd.DataFrame:
    """
    Read an indicator table keyed by Sozialraum ID (the Quartiersatlas or any table shaped like it).

    Parameters
    ----------
    path
        CSV or XLSX (see `read_table`).
    sheet
        XLSX sheet name.
    report
        Receives non-fatal findings: unreadable cells, repaired or truncated names, duplicate IDs,
        columns that match no indicator.

    Returns
    -------
    pandas.DataFrame
        `sozialraum_id`, `name` (when present), `official_type` (text, when the table has an official
        classification column such as ``Typ`` or ``Sozialraumtyp``) and one float column per recognised
        indicator, named by its catalogue id (see `geo/data/indikatoren.toml`).
    """
    path = Path(path)
    frame = read_table(path, sheet=sheet)
    id_col = _require_column(list(frame.columns), ID_COLUMNS, path=path, label="Sozialraum-ID")
    frame = frame[frame[id_col] != ""].reset_index(drop=True)
    if frame.empty:
        raise FileFormatError("error.no_rows", file=path.name)
    ids = _normalised_ids(frame[id_col], width=6, path=path, column=id_col, first_row=2)
    out = pd.DataFrame({"sozialraum_id": ids})
    name_col = find_column(list(frame.columns), ("name", "sozialraum_name", "bezeichnung"))
    if name_col is not None:
        out["name"] = _clean_names(frame[name_col], ids, report)
    type_col = find_column(list(frame.columns), TYPE_COLUMNS)
    if type_col is not None:
        out["official_type"] = frame[type_col].where(~frame[type_col].isin(MISSING_TOKENS))
    column_map = catalogue().column_map()
    value_columns = [c for c in frame.columns if c not in (id_col, name_col, type_col)]
    decimal_comma = uses_decimal_comma(frame[value_columns])
    ignored = []
    for col in frame.columns:
        if col in (id_col, name_col, type_col):
            continue
        indicator_id = column_map.get(" ".join(col.replace("\u2013", "-").split()).casefold())
        if indicator_id is None:
            if col.casefold() not in {"stadtbezirk", "stadtteil", "stadtteil_nr"}:
                ignored.append(col)
            continue
        numbers, unreadable = parse_numbers(frame[col], decimal_comma=decimal_comma)
        if not decimal_comma and catalogue().get(indicator_id).kind == "count":
            numbers = _thousands_in_counts(frame[col], numbers, ids, path=path, column=col, report=report)
        out[indicator_id] = numbers
        if unreadable.any() and report is not None:
            report.warning(
                "non_numeric",
                ids=ids[unreadable].tolist(),
                file=path.name,
                column=col,
                values=frame.loc[unreadable, col].tolist()[:5],
            )
    if ignored and report is not None:
        report.warning("columns_ignored", file=path.name, columns=ignored)
    if not any(c in column_map.values() or c == "official_type" for c in out.columns):
        raise MissingColumnError("error.no_indicator_columns", file=path.name, found=list(frame.columns))
    dupes = sorted(out.loc[out["sozialraum_id"].duplicated(), "sozialraum_id"].unique())
    if dupes and report is not None:
        report.error("duplicate_id", ids=dupes, file=path.name)
    return out


def _thousands_in_counts(
    text: pd.Series, numbers: pd.Series, ids: pd.Series, *, path: Path, column: str, report: Report | None
) -> pd.Series:
    """
    A count column of a file with decimal points, where ``2.370`` stands for 2370 people.

    When every cell with a point looks like a thousands separator (``2.370``, ``1.234.567``) and none is
    a plain decimal (``2.37``), the points are read as thousands separators and the report names the
    cells; otherwise the column stays as read and fractional counts are named as doubtful.
    """
    pointed = text.astype(str).str.contains(".", regex=False) & numbers.notna()
    if not pointed.any():
        return numbers
    grouped = thousands_points(text)
    if (grouped | ~pointed).all():
        fixed = numbers.copy()
        fixed[grouped] = pd.to_numeric(text[grouped].str.replace(".", "", regex=False), errors="coerce")
        if report is not None:
            report.warning(
                "thousands_separator",
                ids=ids[grouped].tolist(),
                file=path.name,
                column=column,
                values=text[grouped].tolist()[:5],
            )
        return fixed
    fractional = numbers.notna() & (numbers != numbers.round())
    if fractional.any() and report is not None:
        report.warning(
            "count_fractional",
            ids=ids[fractional].tolist(),
            file=path.name,
            column=column,
            values=text[fractional].tolist()[:5],
        )
    return numbers


def read_wohnquartiere(path: str | Path, *, report: Report | None = None) -> pd.DataFrame:
    """
    Add up a Wohnquartier table (9-digit keys = Sozialraum ID + 3 digits) to Sozialräume.

    Keys that lost their leading zero (8 digits) are restored. Empty cells count as zero (the city
    leaves suppressed and zero cells empty). Six-digit keys belong to the old Wohnquartier scheme before
    2021 and cannot be mapped; such a file is refused.

    Returns
    -------
    pandas.DataFrame
        One row per `sozialraum_id` with the summed age columns (as in the file) and `bevoelkerung`.
    """
    path = Path(path)
    frame = read_table(path)
    key_col = frame.columns[0]
    keys = _normalised_ids(frame[key_col], width=9, path=path, column=key_col, first_row=2)
    short = frame[key_col].str.len() <= 6
    if short.all():
        raise IdError("error.old_wohnquartier_keys", file=path.name)
    values = pd.DataFrame({c: parse_numbers(frame[c])[0].fillna(0) for c in frame.columns[1:]})
    values["sozialraum_id"] = keys.str[:6].to_numpy()
    summed = values.groupby("sozialraum_id", sort=True).sum()
    summed["bevoelkerung"] = summed.sum(axis=1)
    if report is not None:
        report.counts["wohnquartiere"] = len(frame)
    return summed.reset_index()


# --- Welcome Points ------------------------------------------------------------------------------

_REGISTRY_COLUMNS = ("ART", "NAME", "STRASSE", "HAUSNUMMER")


def _coordinates(frame: pd.DataFrame, name: str) -> gpd.GeoSeries:
    cols = {c.upper(): c for c in frame.columns}
    if "LATITUDE" in cols and "LONGITUDE" in cols:
        lat, _ = parse_numbers(frame[cols["LATITUDE"]])
        lon, _ = parse_numbers(frame[cols["LONGITUDE"]])
        if lat.notna().all() and lon.notna().all():
            return gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=STORAGE_CRS)
    if "OSTWERT" in cols and "NORDWERT" in cols:
        east, _ = parse_numbers(frame[cols["OSTWERT"]])
        north, _ = parse_numbers(frame[cols["NORDWERT"]])
        east = east.where(east < 10_000_000, east - 32_000_000)  # drop the zone prefix "32"
        if east.notna().all() and north.notna().all():
            return gpd.GeoSeries(gpd.points_from_xy(east, north), crs=METRIC_CRS).to_crs(STORAGE_CRS)
    raise MissingColumnError(
        "error.column_missing", file=name, column="LATITUDE/LONGITUDE", found=list(frame.columns)
    )


def slug(text: str) -> str:
    """A name as an ID part: lower case, umlauts spelled out, runs of other characters as one hyphen."""
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
    return re.sub(r"[^a-z0-9]+", "-", text.casefold().translate(table)).strip("-")


def _welcome_points_vector(path: Path, report: Report | None) -> gpd.GeoDataFrame:
    """Welcome Points from a GeoJSON or GeoPackage of points: the app's columns, an ID from the address."""
    gdf = read_vector(path)
    _require_geometry(gdf, path, kinds=("Point",), expected="Point")
    gdf = ensure_crs(gdf, path, report)
    _check_axes(gdf, path)
    _check_city(gdf, path)
    for field in ("name", "organisation", "address", "stadtteil", "url", "contacts"):
        if field not in gdf.columns:
            gdf[field] = ""
    if "welcome_point_id" not in gdf.columns:
        gdf["welcome_point_id"] = [
            f"wp-{slug(a or n)}" for a, n in zip(gdf["address"], gdf["name"], strict=True)
        ]
    return gdf[
        [
            "welcome_point_id",
            "name",
            "organisation",
            "address",
            "stadtteil",
            "url",
            "contacts",
            "geometry",
        ]
    ].fillna("")


def read_welcome_points(path: str | Path, *, report: Report | None = None) -> gpd.GeoDataFrame:
    """
    Read Welcome Points from the city's registry of integration services (CSV) or from GeoJSON.

    In the registry, rows with `ART` = `Welcome Point` are kept, and rows repeating a Welcome Point at
    the same address (another contact person) are merged into one point that keeps all contacts.
    Coordinates come from `LATITUDE`/`LONGITUDE`, or from `OSTWERT`/`NORDWERT` (EPSG:25832, zone prefix
    `32` removed) when those are all there is.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326: `welcome_point_id`, `name`, `organisation`, `address`, `stadtteil`, `url`,
        `contacts` (JSON list of {organisation, einrichtung, telefon}) and `geometry`.
    """
    path = Path(path)
    if path.suffix.lower() in {".geojson", ".json", ".gpkg"}:
        return _welcome_points_vector(path, report)
    frame = read_table(path)
    upper = {c.upper(): c for c in frame.columns}
    missing = [c for c in _REGISTRY_COLUMNS if c not in upper]
    if missing:
        raise MissingColumnError(
            "error.column_missing",
            file=path.name,
            column=", ".join(missing),
            found=list(frame.columns),
        )

    def col(name: str) -> str:
        return str(upper.get(name, ""))

    rows = frame[frame[col("ART")].str.casefold() == "welcome point"].copy()
    if rows.empty:
        raise FileFormatError("error.no_welcome_points", file=path.name)
    located = gpd.GeoDataFrame(geometry=_coordinates(rows, path.name))
    _check_axes(located, path)
    _check_city(located, path)
    rows["_geom"] = located.geometry.to_numpy()
    rows["_address"] = (rows[col("STRASSE")] + " " + rows[col("HAUSNUMMER")]).str.strip()
    plz = rows[col("PLZ")] if "PLZ" in upper else ""
    rows["_key"] = (rows["_address"] + " " + plz).str.casefold()
    points = []
    merged: list[str] = []
    for _, group in rows.groupby("_key", sort=False):
        first = group.iloc[0]
        if len(group) > 1:
            merged.append(f"{first['_address']} ({len(group)})")
        contacts = [
            {
                "organisation": r[col("NAME")],
                "einrichtung": r.get(col("EINRICHTUNG"), ""),
                "telefon": r.get(col("TELEFON"), ""),
            }
            for _, r in group.iterrows()
        ]
        contacts = [dict(t) for t in dict.fromkeys(tuple(c.items()) for c in contacts)]
        organisations = list(dict.fromkeys(group[col("NAME")]))
        stadtteil = first.get(col("STADTTEIL"), "") if "STADTTEIL" in upper else ""
        points.append(
            {
                "welcome_point_id": f"wp-{slug(first['_address'])}",
                "name": f"Welcome Point {stadtteil}".strip(),
                "organisation": " / ".join(organisations),
                "address": f"{first['_address']}, {first.get(col('PLZ'), '')} {first.get(col('STADT'), '')}".strip(
                    " ,"
                ),
                "stadtteil": stadtteil,
                "url": first.get(col("URL"), "") if "URL" in upper else "",
                "contacts": json.dumps(contacts, ensure_ascii=False),
                "geometry": first["_geom"],
            }
        )
    out = gpd.GeoDataFrame(points, geometry="geometry", crs=STORAGE_CRS)
    if report is not None:
        report.counts["welcome_point_rows"] = len(rows)
        if merged:
            report.warning("welcome_point_rows_merged", ids=merged, rows=len(rows), points=len(out))
    return out


def assign_sozialraum(
    points: gpd.GeoDataFrame, spaces: gpd.GeoDataFrame, *, report: Report | None = None
) -> gpd.GeoDataFrame:
    """
    Add the `sozialraum_id` each Welcome Point lies in (empty string when it lies in none).

    A point outside every Sozialraum is reported as a warning.
    """
    joined = gpd.sjoin(
        points.drop(columns=["sozialraum_id"], errors="ignore"),
        spaces[["sozialraum_id", "geometry"]],
        how="left",
        predicate="within",
    )
    joined = joined[~joined.index.duplicated(keep="first")]
    out = points.copy()
    out["sozialraum_id"] = joined["sozialraum_id"].fillna("").astype(str).to_numpy()
    outside = out.loc[out["sozialraum_id"] == "", "welcome_point_id"].tolist()
    if outside and report is not None:
        report.warning("welcome_point_outside", ids=outside)
    return out
