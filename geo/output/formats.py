"""
The register's records as files in open formats, and as the map and calendar show them.

A tandem's activities as iCalendar (RFC 5545) with Europe/Berlin's time zone and two reminders, the concern
log as XLSX safe against formulas, a month grid of activities, where each activity is pinned on the map and
the journal's counts as a tooltip line. The records come from `geo.register.journal`, which checks who may
read them.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pandas as pd

from geo.analysis import coverage
from geo.core.access import Principal
from geo.core.tables import FORMULA_PREFIXES, printable
from geo.register.journal import TIME_ZONE, activities, concerns_frame
from geo.register.store import Register

#: Reminders in calendar files: the day before and two hours before.
ALARMS = (timedelta(days=1), timedelta(hours=2))


#: Europe/Berlin by the EU rule (since 1996: last Sunday of March and of October), valid for every year.
VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""


def ics(
    register: Register, tandem_id: int, *, by: Principal | None = None, lang_title: str = "Sozialraum-Karte"
) -> bytes:
    """
    A tandem's activities (not cancelled) as an iCalendar file (notes only for whom `activities` keeps them).

    Times carry the zone Europe/Berlin (with its VTIMEZONE), so a phone set to another zone still shows the
    right hour; every event has two reminders (`ALARMS`).
    """
    zone = ZoneInfo(TIME_ZONE)
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//{lang_title}//Community Connectors//DE")
    cal.add("version", "2.0")
    cal.add("x-wr-timezone", TIME_ZONE)
    cal.add_component(icalendar.Timezone.from_ical(VTIMEZONE.replace("\n", "\r\n")))
    for row in activities(register, by=by, tandem_id=tandem_id).itertuples():
        if row.status == "abgesagt":
            continue
        event = icalendar.Event()
        event.add("uid", f"activity-{row.id}@sozialraum-karte")
        # iCalendar text may not hold control characters (RFC 5545, 3.3.11): left out here, kept in the register
        title = printable(row.title)
        event.add("summary", title)
        event.add("dtstart", row.starts_at.to_pydatetime().replace(tzinfo=zone))
        end = row.ends_at if pd.notna(row.ends_at) else row.starts_at + pd.Timedelta(hours=2)
        event.add("dtend", end.to_pydatetime().replace(tzinfo=zone))
        event.add("dtstamp", datetime.now(UTC))
        event.add(
            "location", printable(", ".join(p for p in (row.venue, f"Sozialraum {row.sozialraum_id}") if p))
        )
        event.add(
            "description", printable("\n".join(p for p in (row.target_group, row.languages, row.notes) if p))
        )
        event.add("status", "TENTATIVE" if row.status == "idee" else "CONFIRMED")
        for before in ALARMS:
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", title)
            alarm.add("trigger", -before)
            event.add_component(alarm)
        cal.add_component(event)
    return bytes(cal.to_ical())


def concerns_xlsx(register: Register, *, by: Principal) -> bytes:
    """The concern log as XLSX (openpyxl): text that looks like a formula is stored as plain text."""
    import openpyxl  # noqa: PLC0415 (only this export needs it)
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # noqa: PLC0415

    frame = concerns_frame(register, by=by)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Anliegen"
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        # XLSX cannot hold control characters (ESC, NUL, ...): they are left out here, kept in the register
        sheet.append(
            ["" if pd.isna(v) else ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row]
        )
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES):
                cell.data_type = "s"  # an inline string, never a formula
                cell.quotePrefix = True
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = min(
            60, max(12, *(len(str(c.value or "")) for c in column))
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def month_grid(frame: pd.DataFrame, year: int, month: int, *, weekdays: tuple[str, ...]) -> pd.DataFrame:
    """
    A month calendar: one row per week, one column per weekday, each cell the day and its activities.

    Parameters
    ----------
    frame
        From `activities` (columns `starts_at`, `title`).
    year, month
        The month shown.
    weekdays
        Column names, Monday first.
    """
    first = date(year, month, 1)
    days = pd.date_range(first - timedelta(days=first.weekday()), periods=42, freq="D")
    by_day: dict[date, list[str]] = {}
    for start, title in zip(frame["starts_at"], frame["title"], strict=True):
        by_day.setdefault(start.date(), []).append(f"{start:%H:%M} {title}")
    cells = ["" if d.month != month else "\n".join([str(d.day), *by_day.get(d.date(), [])]) for d in days]
    grid = pd.DataFrame([cells[i : i + 7] for i in range(0, 42, 7)], columns=list(weekdays))
    return grid[(grid != "").any(axis=1)].reset_index(drop=True)


def activity_locations(frame: pd.DataFrame, spaces: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """
    Where to pin each activity: its own point, else its Welcome Point, else a point inside its Sozialraum.

    Returns
    -------
    pandas.DataFrame
        `lat`, `lon`, `title` (with date and tandem), one row per activity.
    """
    anchors = coverage.anchor_points(spaces).to_crs(4326)
    wps = points.set_index("welcome_point_id").geometry if len(points) else pd.Series(dtype=object)
    rows = []
    for row in frame.itertuples():
        if pd.notna(row.lat):
            lat, lon = row.lat, row.lon
        elif row.welcome_point_id and row.welcome_point_id in wps.index:
            lat, lon = wps[row.welcome_point_id].y, wps[row.welcome_point_id].x
        else:
            lat, lon = anchors[row.sozialraum_id].y, anchors[row.sozialraum_id].x
        label = " · ".join(p for p in (row.title, f"{row.starts_at:%d.%m.%Y %H:%M}", row.tandem) if p)
        rows.append({"lat": lat, "lon": lon, "title": label})
    return pd.DataFrame(rows, columns=["lat", "lon", "title"])


def map_notes(counts: pd.DataFrame, *, lang: str = "de") -> pd.Series:
    """A tooltip line per Sozialraum from `counts_by_sozialraum`, e.g. "Anliegen: 2 · Aktivitäten: 1"."""
    from geo.core import i18n  # noqa: PLC0415 - only the map needs words here

    return pd.Series(
        {
            sid: i18n.translate(
                "journal.map_note", lang, concerns=int(r.concerns), activities=int(r.activities)
            )
            for sid, r in counts.iterrows()
        },
        dtype=object,
    )
