"""Download the official open-data files and import official files into a dataset folder."""

from __future__ import annotations

import http.client
import ipaddress
import os
import re
import socket
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from geo.core.access import AccessDeniedError, Action, Principal, require
from geo.core.errors import DataError, DownloadError, SozialraumError
from geo.core.report import Report
from geo.core.settings import (
    PORTAL_BASE_URL,
    PORTAL_SOZIALRAEUME,
    PORTAL_STADTTEILE,
    env_number,
    get_settings,
)
from geo.data import city, languages, provenance, sources, validate
from geo.data import series as series_module
from geo.data import streets as streets_module
from geo.data.dataset import (
    IMPORT_REPORT_FILE,
    INDICATORS_FILE,
    SERIES_FILE,
    STADTTEILE_FILE,
    STREETS_FILE,
    WELCOME_POINTS_FILE,
    Dataset,
    DatasetMeta,
    import_city,
    write_dataset,
)
from geo.data.demo_dataset import STADTTEILE
from geo.data.indicators import catalogue

if TYPE_CHECKING:
    import pandas as pd

    from geo.register.store import Register

#: Called with (file name, bytes so far, total bytes or None).
Progress = Callable[[str, int, int | None], None]

OFFICIAL_SOURCE = "Open Data Düsseldorf (Sozialräume, Stadtteile)"
OFFICIAL_LICENCE = "Datenlizenz Deutschland – Zero – Version 2.0"
_CHUNK = 64 * 1024


def allowed_hosts() -> frozenset[str]:
    """
    Hosts the server may download from (`SOZIALRAUM_FETCH_HOSTS`, comma-separated; default the portal).

    An entry may carry a port (``mirror.example:8080``). An IP literal in the list is trusted as it is,
    loopback and private addresses included: that is how an operator allows a mirror on the local network.
    """
    default = urllib.parse.urlparse(PORTAL_BASE_URL).hostname or ""
    raw = os.environ.get("SOZIALRAUM_FETCH_HOSTS", default)
    return frozenset(h.strip().lower() for h in raw.split(",") if h.strip())


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _split_entry(entry: str) -> tuple[str, int | None]:
    """An allow-list entry as (host, port or None): ``a.b``, ``a.b:8080``, ``10.0.0.5:80``, ``[::1]:80``."""
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    if entry.count(":") == 1:
        host, port = entry.split(":")
        return host, int(port) if port.isdigit() else None
    return entry, None


def _listed(host: str, port: int | None) -> bool:
    return any(h == host and (p is None or p == port) for h, p in map(_split_entry, allowed_hosts()))


def _trusted_literal(host: str) -> bool:
    """True when `host` is an IP literal the operator listed explicitly."""
    host = host.strip("[]").lower()
    return _ip_literal(host) is not None and any(h == host for h, _ in map(_split_entry, allowed_hosts()))


def _public_address(ip: str) -> bool:
    address = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_url(url: str) -> str:
    """
    Refuse a download address the server must not fetch; returns the host.

    Only http(s), only hosts on the allow-list, and never an address that resolves to a loopback, private,
    link-local or otherwise non-public address (unless that IP literal is itself on the list). The address a
    connection really reaches is checked again when it is made, and every redirect is checked the same way.

    Raises
    ------
    geo.core.errors.DownloadError
        With the address and the reason.
    """
    parts = urllib.parse.urlparse(url)
    name = Path(urllib.parse.unquote(parts.path)).name or url
    if parts.scheme not in {"http", "https"}:
        raise DownloadError("error.download", file=name, url=url, reason="only http and https are allowed")
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError as exc:
        raise DownloadError("error.download_refused", url=url, hosts=sorted(allowed_hosts())) from exc
    if not host or not _listed(host, port):
        raise DownloadError("error.download_refused", url=url, hosts=sorted(allowed_hosts()))
    if _trusted_literal(host):
        return host
    try:
        infos = socket.getaddrinfo(
            host, port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except OSError as exc:
        raise DownloadError("error.download", file=name, url=url, reason=str(exc)) from exc
    if not infos or not all(_public_address(str(info[4][0])) for info in infos):
        raise DownloadError("error.download_private", url=url)
    return host


def _check_peer(sock: socket.socket | None, host: str) -> None:
    """The address a connection really reached must be public (or an IP literal the operator listed)."""
    if sock is None:
        return
    ip = str(sock.getpeername()[0])
    if not _public_address(ip) and not _trusted_literal(host):
        sock.close()
        raise DownloadError("error.download_private", url=host)


class _CheckedHTTPConnection(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _check_peer(self.sock, self.host)


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _check_peer(self.sock, self.host)


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_CheckedHTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_CheckedHTTPSConnection, req, context=self._context)  # type: ignore[attr-defined]


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    def redirect_request(  # noqa: PLR0917 - urllib's signature
        self, req: urllib.request.Request, fp: object, code: int, msg: str, headers: object, newurl: str
    ) -> urllib.request.Request | None:
        check_url(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)  # type: ignore[arg-type]


def _opener() -> urllib.request.OpenerDirector:
    """Urllib without proxies from the environment, with every connection and redirect checked."""
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}), _HTTPHandler(), _HTTPSHandler(), _RedirectHandler()
    )


def _require_import(by: Principal) -> None:
    require(by, Action.IMPORT_DATA)
    if by.demo:
        raise AccessDeniedError("access.demo_no_import")


def file_url(base_url: str, name: str) -> str:
    """The URL of `name` below `base_url` (non-ASCII characters percent-encoded)."""
    return base_url.rstrip("/") + "/" + urllib.parse.quote(name)


def download(url: str, dest: Path, *, progress: Progress | None = None) -> Path:
    """
    Download `url` to `dest`, in chunks, refusing files over the configured size limit.

    Raises
    ------
    geo.core.errors.DownloadError
        With the URL and the reason (HTTP status, network error, size limit).
    """
    settings = get_settings()
    name = dest.name
    check_url(url)
    deadline = time.monotonic() + env_number("SOZIALRAUM_DOWNLOAD_DEADLINE")
    try:
        with _opener().open(url, timeout=settings.download_timeout_s) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            done = 0
            with dest.open("wb") as out:
                # read1: what has arrived (at most a chunk), so a server that sends a byte a second meets
                # the deadline instead of holding the import for ever
                while chunk := response.read1(_CHUNK):
                    if time.monotonic() > deadline:
                        raise DownloadError(
                            "error.download_deadline",
                            file=name,
                            url=url,
                            seconds=int(env_number("SOZIALRAUM_DOWNLOAD_DEADLINE")),
                        )
                    done += len(chunk)
                    if done > settings.max_download_bytes:
                        raise DownloadError(
                            "error.download_too_large",
                            file=name,
                            limit=settings.max_download_bytes // (1024 * 1024),
                        )
                    out.write(chunk)
                    if progress is not None:
                        progress(name, done, total)
    except urllib.error.HTTPError as exc:
        exc.close()  # an HTTPError holds the open response
        raise DownloadError("error.download", file=name, url=url, reason=f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        if isinstance(exc, DownloadError):
            raise
        reason = getattr(exc, "reason", exc)
        raise DownloadError("error.download", file=name, url=url, reason=str(reason)) from exc
    return dest


def _file_label(path: str | Path) -> str:
    """A file named for people: ``Integrationsberatung in Düsseldorf_1.csv`` -> ``Integrationsberatung in Düsseldorf``."""
    return re.sub(r"_\d+$", "", Path(path).stem)


def _previous_title(out: Path) -> str | None:
    """The title of the dataset already in `out`, unless it is the demo."""
    if not (out / "dataset.json").exists():
        return None
    meta = DatasetMeta.read(out)
    return None if meta.demo else meta.title


def _previous_meta_is_demo(out: Path) -> bool:
    return (out / "dataset.json").exists() and DatasetMeta.read(out).demo


def _previous_layer(out: Path, kind: str) -> provenance.Layer | None:
    """The provenance of `kind` in the dataset in `out`, if it has one."""
    if not (out / "dataset.json").exists():
        return None
    found = [provenance.Layer.from_dict(d) for d in DatasetMeta.read(out).layers if d.get("kind") == kind]
    return found[0] if found else None


def _layers(out: Path, new: list[provenance.Layer]) -> tuple[dict[str, str], ...]:
    """The provenance of the dataset in `out` (none for the demo), with `new` replacing layers of their kind."""
    kept: list[provenance.Layer] = []
    if (out / "dataset.json").exists() and not _previous_meta_is_demo(out):
        kept = [provenance.Layer.from_dict(d) for d in DatasetMeta.read(out).layers]
    return tuple(layer.as_dict() for layer in provenance.merged(kept, new))


def fetch_official(
    out: str | Path,
    *,
    by: Principal,
    base_url: str = PORTAL_BASE_URL,
    progress: Progress | None = None,
    audit: Register | None = None,
) -> Report:
    """
    Download the Sozialraum and Stadtteil GeoJSON files, validate them, and write them to `out`.

    Indicator table and Welcome Points already in `out` are kept, unless `out` held the demo
    dataset (demo values do not belong to the official geometry). Admins only; with `audit`, the fetch is
    recorded in that register's audit log.

    Returns
    -------
    geo.core.report.Report
        The validation report of the downloaded geometry.
    """
    _require_import(by)
    out = Path(out)
    with tempfile.TemporaryDirectory() as tmp:
        spaces_path = download(
            file_url(base_url, PORTAL_SOZIALRAEUME),
            Path(tmp) / PORTAL_SOZIALRAEUME,
            progress=progress,
        )
        stadtteile_path = download(
            file_url(base_url, PORTAL_STADTTEILE), Path(tmp) / PORTAL_STADTTEILE, progress=progress
        )
        checked = validate.check_files(spaces_path)
        stadtteile = sources.read_stadtteile(stadtteile_path, report=checked.report)
        if not checked.report.usable:
            raise DataError(
                "error.dataset_unusable",
                folder=base_url,
                reasons=" ".join(i.message() for i in checked.report.errors),
            )
        # demo values do not belong to the official geometry: they go, in the same swap as the new files
        drop = (INDICATORS_FILE, WELCOME_POINTS_FILE, STREETS_FILE) if _previous_meta_is_demo(out) else ()
        meta = DatasetMeta(
            title="Offizielle Daten (Open Data Düsseldorf)",
            source=OFFICIAL_SOURCE,
            reference_date=catalogue().reference_date,
            licence=OFFICIAL_LICENCE,
            layers=_layers(
                out, [provenance.describe("geometry", None), provenance.describe("stadtteile", None)]
            ),
        )
        write_dataset(
            out,
            spaces=checked.spaces,
            stadtteile=stadtteile,
            meta=meta,
            import_report=checked.report,
            drop=drop,
        )
    if audit is not None:
        audit.record(
            by,
            "data.fetch",
            target="dataset",
            target_id=out.name,
            host=urllib.parse.urlparse(base_url).hostname,
        )
    return checked.report


#: Findings about the geometry file itself; a later import of tables alone must not forget them.
_GEOMETRY_CODES = frozenset({"geometry_repaired", "crs_assumed"})


def _carry_geometry_findings(out: Path, report: Report) -> None:
    previous = out / IMPORT_REPORT_FILE
    if previous.exists():
        earlier = Report.from_json(previous.read_text(encoding="utf-8"))
        report.issues[:0] = [i for i in earlier.issues if i.code in _GEOMETRY_CODES]


def import_files(
    out: str | Path,
    *,
    by: Principal,
    sozialraeume: str | Path | None = None,
    indicators: str | Path | None = None,
    welcome_points: str | Path | None = None,
    stadtteile: str | Path | None = None,
    nationalities: str | Path | None = None,
    streets: str | Path | None = None,
    series: list[str | Path] | tuple[str | Path, ...] = (),
    sheet: str | None = None,
    source: str | None = None,
    audit: Register | None = None,
) -> Report:
    """
    Validate official files and write them into the dataset folder `out`.

    Files not given are kept from `out` (for example the geometry from `fetch_official`). Nothing is
    written when the report has errors. Admins only; with `audit`, the import is recorded there.

    Raises
    ------
    geo.core.errors.DataError
        When a file cannot be read or the data as a whole is unusable; the message names the problems.

    Returns
    -------
    geo.core.report.Report
        The validation report (warnings only).
    """
    _require_import(by)
    out = Path(out)
    checked, st = _checked_input(out, sozialraeume, indicators, welcome_points, stadtteile, sheet)
    nat = _nationalities(out, nationalities, st, checked) if nationalities else None
    street_list = (
        streets_module.read_streets(streets, checked.spaces, report=checked.report) if streets else None
    )
    series_table = _series(out, series, checked) if series else None
    # write the values as read (implausible ones included): the report flags them again on every load
    raw = sources.read_indicators(indicators, sheet=sheet) if indicators else None
    if raw is not None and "name" not in raw.columns:
        raw["name"] = ""
    drop: tuple[str, ...] = ()
    if sozialraeume and _previous_meta_is_demo(out):
        drop = ("sozialraeume", WELCOME_POINTS_FILE, STREETS_FILE)
    given = {
        "geometry": sozialraeume,
        "stadtteile": stadtteile,
        "indicators": indicators,
        "welcome_points": welcome_points,
        "nationalities": nationalities,
        "streets": streets,
    }
    meta = _import_meta(out, given, series, source)
    if sozialraeume is None:
        _carry_geometry_findings(out, checked.report)
    write_dataset(
        out,
        spaces=checked.spaces,
        stadtteile=st,
        indicators=raw,
        welcome_points=checked.welcome_points,
        nationalities=nat,
        streets=street_list,
        series=series_table,
        meta=meta,
        import_report=checked.report,
        drop=drop,
    )
    if audit is not None:
        kinds = ("geometry", "indicators", "welcome_points", "nationalities", "streets")
        files = [{"geometry": "sozialraeume"}.get(k, k) for k in kinds if given[k]] + (
            ["series"] if series else []
        )
        audit.record(by, "data.import", target="dataset", target_id=out.name, files=files)
    return checked.report


def _checked_input(  # noqa: PLR0917 - the files of an import, one per argument
    out: Path,
    sozialraeume: str | Path | None,
    indicators: str | Path | None,
    welcome_points: str | Path | None,
    stadtteile: str | Path | None,
    sheet: str | None,
) -> tuple[validate.Checked, pd.DataFrame | None]:
    """The files validated together (the geometry from `out` when none is given), and the Stadtteile read."""
    spaces_path = Path(sozialraeume) if sozialraeume else out / "sozialraeume" / "sozialraeume.geojson"
    if not spaces_path.exists():
        raise DataError("error.dataset_missing", folder=str(out), file="sozialraeume/sozialraeume.geojson")
    checked = validate.check_files(
        spaces_path, indicators=indicators, welcome_points=welcome_points, sheet=sheet
    )
    st = sources.read_stadtteile(stadtteile, report=checked.report) if stadtteile else None
    if not checked.report.usable:
        raise DataError(
            "error.dataset_unusable",
            folder=str(out),
            reasons=" ".join(i.message() for i in checked.report.errors),
        )
    return checked, st


def _import_meta(
    out: Path,
    given: dict[str, str | Path | None],
    series: list[str | Path] | tuple[str | Path, ...],
    source: str | None,
) -> DatasetMeta:
    """The imported dataset's title, source line, date, licence and the provenance of each layer."""
    geometry = given["geometry"]
    from_portal = geometry is None or Path(geometry).name == PORTAL_SOZIALRAEUME
    return DatasetMeta(
        title=_previous_title(out) or "Offizielle Daten",
        source=source or _source_line(given, series, from_portal=from_portal),
        reference_date=catalogue().reference_date,
        licence=OFFICIAL_LICENCE if from_portal else "",
        layers=_layers(
            out,
            [provenance.describe(kind, path) for kind, path in given.items() if path]
            + (
                [provenance.describe_series(series, previous=_previous_layer(out, "series"))]
                if series
                else []
            ),
        ),
    )


def _nationalities(
    out: Path, nationalities: str | Path, st: pd.DataFrame | None, checked: validate.Checked
) -> pd.DataFrame:
    """The nationalities table, its Stadtteile named from the new file, the folder's, or the city's list."""
    if st is None and (out / STADTTEILE_FILE).exists():
        st_names = sources.read_stadtteile(out / STADTTEILE_FILE)
    else:
        st_names = st
    if st_names is not None:
        names = dict(zip(st_names["stadtteil_nr"], st_names["name"], strict=True))
    else:  # no Stadtteil file yet: the city's 50 Stadtteil names (the demo uses them too)
        known = dict(STADTTEILE)
        names = {nr: known.get(nr, "") for nr in checked.spaces["stadtteil_nr"]}
    return languages.read_nationalities(nationalities, names, report=checked.report)


def _series(
    out: Path, series: list[str | Path] | tuple[str | Path, ...], checked: validate.Checked
) -> pd.DataFrame:
    """The series files read and merged into the folder's series (newer values win)."""
    ids = set(checked.spaces["sozialraum_id"])
    read = [series_module.read_series(p, sozialraum_ids=ids, report=checked.report) for p in series]
    table = series_module.read_file(out / SERIES_FILE)
    for part in read:
        table = series_module.merge(table, part)
    return table


def _source_line(
    given: dict[str, str | Path | None],
    series: list[str | Path] | tuple[str | Path, ...],
    *,
    from_portal: bool,
) -> str:
    """The dataset's source line: the portal or the geometry file, then every other file imported."""
    geometry = given["geometry"]
    parts = [OFFICIAL_SOURCE if from_portal or geometry is None else f"Sozialräume: {_file_label(geometry)}"]
    if given["indicators"]:
        parts.append(catalogue().source)
    for kind, label in (
        ("welcome_points", "Welcome Points"),
        ("nationalities", "Staatsangehörigkeiten"),
        ("streets", "Straßen"),
    ):
        if (path := given[kind]) is not None and path:
            parts.append(f"{label}: {_file_label(path)}")
    if series:
        parts.append("Zeitreihen: " + ", ".join(_file_label(p) for p in series))
    return "; ".join(parts)


# --- another city's files, as the Daten page takes them --------------------------------------------------


def city_profile(choice: str, upload: tuple[str, bytes] | None, workdir: Path) -> city.CityProfile:
    """
    The profile the Daten page offers: a bundled one by key, or an uploaded TOML file (`upload`: name, bytes).

    Raises
    ------
    geo.data.city.ProfileError
        For a profile that cannot be used, naming the field and what is wrong (as `city.load_profile`).
    """
    if upload is None:
        return city.load_profile(choice)
    path = workdir / (Path(upload[0]).stem or "stadtprofil")
    path = path.with_suffix(".toml")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(upload[1])
    return city.load_profile(path)


def check_city_uploads(
    profile: city.CityProfile, uploads: list[tuple[str, bytes]], workdir: Path
) -> city.CityData:
    """
    A city's files as uploaded (name, bytes), checked with `profile` like `python -m geo profile check`.

    Each file is written under `workdir` by its own name only (a path in the name is dropped, hidden
    names are left out), so a Shapefile's parts find each other as in the city's folder.

    Raises
    ------
    geo.core.errors.SozialraumError
        When no file was given.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in uploads:
        safe = Path(name.replace("\\", "/")).name
        if not safe or safe.startswith("."):
            continue
        (workdir / safe).write_bytes(content)
        paths.append(workdir / safe)
    if not paths:
        raise SozialraumError("cli.import_needs_files")
    return city.check(profile, paths)


def import_city_uploads(
    data: city.CityData, folder: Path, *, by: Principal, audit: Register | None = None
) -> Dataset:
    """
    Checked city files imported as a dataset (`geo.data.dataset.import_city`: admins only, never in the demo).

    With `audit` the import is recorded there, with the profile and the files' names.
    """
    result = import_city(data, folder, by=by)
    if audit is not None:
        audit.record(
            by,
            "data.import",
            target="dataset",
            target_id=folder.name,
            profile=data.profile.key,
            files=sorted(p.name for p in data.files.values()),
        )
    return result
