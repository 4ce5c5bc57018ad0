"""
Where each layer of a dataset comes from: title, publisher, reference date, licence and the day it was imported.

A dataset joins sources of different standing: the Sozialraum polygons are Open Data of the city under
Datenlizenz Deutschland – Zero; the Quartiersatlas table is an extraction from the city's PDF by a third
party, with no licence stated; the registry of Welcome Points states no date and no licence. One source line
for all of them would claim too much. Each layer therefore has its own record (`Layer`), kept in
`dataset.json` (``layers``), shown on the Daten page, on every map and export, and in ``--json`` outputs.

Known files are recognised by name (`describe`); anything else is described by its file name with publisher,
date and licence "not stated", and an admin can complete the record on the Daten page.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from geo.core import i18n
from geo.core.settings import PORTAL_BASE_URL, PORTAL_SOZIALRAEUME, PORTAL_STADTTEILE

#: The layers of a dataset, in the order they are named.
KINDS = (
    "geometry",
    "stadtteile",
    "indicators",
    "welcome_points",
    "points",
    "nationalities",
    "streets",
    "series",
)


@dataclass(frozen=True)
class Licence:
    """A licence by name, identifier and address ("" where there is none)."""

    name: str
    identifier: str = ""
    url: str = ""


#: Licences the app knows by identifier.
LICENCES = {
    "dl-de/zero-2-0": Licence(
        "Datenlizenz Deutschland – Zero – Version 2.0",
        "dl-de/zero-2-0",
        "https://www.govdata.de/dl-de/zero-2-0",
    ),
    "dl-de/by-2-0": Licence(
        "Datenlizenz Deutschland – Namensnennung – Version 2.0",
        "dl-de/by-2-0",
        "https://www.govdata.de/dl-de/by-2-0",
    ),
    "CC0-1.0": Licence("CC0 1.0", "CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "CC-BY-4.0": Licence("CC BY 4.0", "CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "ODbL-1.0": Licence(
        "Open Database License 1.0", "ODbL-1.0", "https://opendatacommons.org/licenses/odbl/1-0/"
    ),
}


@dataclass(frozen=True)
class Layer:
    """The provenance of one layer. Empty strings mean "not stated"."""

    kind: str
    title: str
    publisher: str = ""
    reference_date: str = ""
    licence: str = ""
    licence_id: str = ""
    licence_url: str = ""
    source_url: str = ""
    imported: str = ""
    note: str = ""

    def as_dict(self) -> dict[str, str]:
        """JSON-ready, every field present ("" = not stated)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Layer:
        """A record as `as_dict` wrote it (unknown keys ignored)."""
        known = {k: str(v) for k, v in data.items() if k in cls.__dataclass_fields__ and v is not None}
        return cls(**known)

    def with_licence(self, licence: Licence) -> Layer:
        """The same record under `licence`."""
        return replace(self, licence=licence.name, licence_id=licence.identifier, licence_url=licence.url)

    def line(self, lang: str) -> str:
        """One plain sentence: title, publisher, date, licence (each said as "not stated" when it is not)."""
        not_stated = i18n.translate("provenance.not_stated", lang)
        parts = [self.title, self.publisher or not_stated]
        parts.append(i18n.translate("provenance.as_of", lang, date=self._date(lang) or not_stated))
        parts.append(i18n.translate("provenance.licence", lang, licence=self._licence() or not_stated))
        if self.imported:
            parts.append(i18n.translate("provenance.imported", lang, date=_format_date(self.imported, lang)))
        return i18n.translate(f"provenance.kind.{self.kind}", lang) + ": " + ", ".join(parts)

    def short(self, lang: str) -> str:
        """The compact form for a map's source line: kind, title, date and licence."""
        return i18n.translate(
            "provenance.short",
            lang,
            kind=i18n.translate(f"provenance.kind.{self.kind}", lang),
            title=self.title,
            date=self._date(lang) or i18n.translate("provenance.no_date", lang),
            licence=self._licence() or i18n.translate("provenance.no_licence", lang),
        )

    def _date(self, lang: str) -> str:
        return _format_date(self.reference_date, lang) if self.reference_date else ""

    def _licence(self) -> str:
        return self.licence_id or self.licence


def _format_date(value: str, lang: str) -> str:
    try:
        return i18n.format_date(datetime.strptime(value, "%Y-%m-%d").date(), lang)
    except ValueError:
        return value


def today() -> str:
    """The import date as stored (ISO)."""
    return datetime.now(UTC).strftime("%Y-%m-%d")


def _label(path: str | Path) -> str:
    """A file named for people: ``Integrationsberatung in Düsseldorf_1.csv`` -> ``Integrationsberatung in Düsseldorf``."""
    return re.sub(r"_\d+$", "", Path(path).stem)


_CITY = "Landeshauptstadt Düsseldorf"


def describe(kind: str, path: str | Path | None, *, imported: str | None = None) -> Layer:
    """
    The provenance of a file of `kind` that the app recognises by its name, or a record that says what is unknown.

    The official files keep what their publisher states: the Sozialräume (Open Data Düsseldorf, as of
    31.12.2021, dl-de/zero-2.0), the Stadtteile 2025 (Open Data Düsseldorf, date and licence not stated in
    the copy the app was built with), the Quartiersatlas 2024 table (a third party's extraction from the
    city's report, data as of 31.12.2021, no licence stated), the registry of integration services (no date,
    no licence stated).
    """
    name = Path(path).name if path else ""
    when = imported or today()
    if kind == "geometry" and (not name or name == PORTAL_SOZIALRAEUME):
        return Layer(
            kind,
            "Sozialräume",
            f"{_CITY}, Open Data",
            "2021-12-31",
            source_url=PORTAL_BASE_URL + PORTAL_SOZIALRAEUME,
            imported=when,
        ).with_licence(LICENCES["dl-de/zero-2-0"])
    if kind == "stadtteile" and (not name or name == PORTAL_STADTTEILE):
        return Layer(
            kind,
            "Stadtteile 2025",
            f"{_CITY}, Open Data",
            source_url=PORTAL_BASE_URL + PORTAL_STADTTEILE,
            imported=when,
        )
    if kind == "indicators" and name.casefold().startswith("quartiersatlas"):
        return Layer(
            kind,
            "Quartiersatlas 2024 (Auszug durch Dritte)",
            f"{_CITY}, Amt für Statistik und Wahlen (Bericht); die Tabelle ist ein Auszug aus dem PDF durch Dritte",
            "2021-12-31",
            imported=when,
            note="extraction",
        )
    if kind == "welcome_points" and name.casefold().startswith("integrationsberatung"):
        return Layer(
            kind,
            "Integrationsberatung in Düsseldorf (Art: Welcome Point)",
            f"{_CITY}, Amt für Migration und Integration",
            imported=when,
        )
    return Layer(kind, _label(name) if name else kind, imported=when)


def describe_series(
    paths: list[str | Path] | tuple[str | Path, ...], *, previous: Layer | None = None
) -> Layer:
    """
    The provenance of the time series: the files named, the city's tables recognised.

    Series accumulate over imports; the files of an earlier import stay named.
    """
    names = [_label(p) for p in paths]
    if previous is not None:
        names = [n for n in previous.title.split("; ") if n and n not in names] + names
    city = any(n.casefold().startswith(("wohnbevölkerung", "bevölkerung", "prognose")) for n in names)
    return Layer(
        "series",
        "; ".join(names),
        f"{_CITY}, Amt für Statistik und Wahlen (Open Data; Kopie durch Dritte)" if city else "",
        imported=today(),
    )


def demo_layers(kinds: tuple[str, ...], *, reference_date: str) -> list[Layer]:
    """The demo's layers: synthetic, made by the app, CC0."""
    return [
        Layer(
            kind,
            "Demo-Daten (synthetisch)",
            "Sozialraum-Karte (python -m geo demo)",
            reference_date,
            imported=today(),
        ).with_licence(LICENCES["CC0-1.0"])
        for kind in kinds
    ]


def merged(previous: list[Layer], new: list[Layer]) -> list[Layer]:
    """`previous` with the layers of `new` replacing those of the same kind, in `KINDS` order."""
    by_kind = {layer.kind: layer for layer in previous}
    by_kind.update({layer.kind: layer for layer in new})
    return [by_kind[k] for k in KINDS if k in by_kind] + [v for k, v in by_kind.items() if k not in KINDS]


def lines(layers: list[Layer], lang: str) -> list[str]:
    """One sentence per layer."""
    return [layer.line(lang) for layer in layers]
