"""
The Sozialraum-Mappe: everything known about one Sozialraum, for a tandem taking it over.

One document, as an A4 PDF or as one offline HTML page: the profile (the fact sheet's page, with the map),
then the Welcome Point, the partners with their offers, opening hours and languages, what worked (debriefs),
the concerns raised here and what became of them, and the activity history.

Two variants: for the tandem (`public=False`: the reader must read what is known in full, see
`geo.register.knowledge`; partner contacts appear where the reader may see them) and public (no person named, no
contact, no tandem, only debriefs and concerns marked public: read as the public reads them).
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass

import matplotlib as mpl
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from geo.analysis.view import MapView
from geo.core import i18n
from geo.core.access import Principal
from geo.core.errors import RegisterError
from geo.core.tables import markdown_text, printable
from geo.data.dataset import Dataset
from geo.output import snapshot
from geo.output._pdf import A4_PORTRAIT, fill_lines
from geo.output.briefs import fact_sheet_figure
from geo.output.maps import source_line
from geo.register import knowledge, partners
from geo.register.store import Register

#: Points per inch, and the text column of a page (A4 with 2 cm margins).
_PT = 72
_LEFT = 0.08
_WIDTH = 0.84
BODY_SIZE = 9.5
HEAD_SIZE = 12.5


@dataclass(frozen=True)
class Section:
    """A heading and its paragraphs (plain text; a paragraph starting with "• " is a list item)."""

    title: str
    paragraphs: list[str]


def _hours(place: partners.Place, lang: str) -> str:
    days = [
        i18n.translate(f"partners.day.{h.byday}", lang)
        + f" {i18n.time_range(h.opens_at, h.closes_at, lang)}"
        + (f" ({h.note})" if h.note else "")
        for h in place.hours
    ]
    return ", ".join(days)


def _partner_lines(p: partners.PartnerView, lang: str, *, with_contacts: bool) -> list[str]:
    def t(key: str, **kw: object) -> str:
        return i18n.translate(key, lang, **kw)

    lines = [f"• {p.name}" + ("" if p.status == "active" else f" ({t(f'partners.status.{p.status}')})")]
    if p.description:
        lines.append(f"  {p.description}")
    for o in p.offers:
        parts = [t(f"partners.topic.{o.topic}")]
        parts += [x for x in (o.target_group, i18n.language_list(o.languages, lang), o.cost) if x]
        lines.append(f"  {o.name}: " + " · ".join(parts))
        if o.access:
            lines.append(f"    {t('partners.access')}: {o.access}")
    for place in p.places:
        where = partners.address(place)
        when = _hours(place, lang)
        lines.append("  " + " · ".join(x for x in (where, when, place.accessibility) if x))
    public_contact = " · ".join(x for x in (p.phone, p.email, p.website) if x)
    if public_contact:
        lines.append(f"  {public_contact}")
    if with_contacts:
        for c in p.contacts:
            who = ", ".join(x for x in (c.name, c.title, c.phone, c.email) if x)
            lines.append(f"  {t('partners.contact_person')}: {who}")
    checked = i18n.format_date(p.assured_date, lang) if p.assured_date else t("partners.never_checked")
    lines.append(
        f"  {t('partners.checked_on', date=checked)}" + (f" – {t('partners.stale')}" if p.stale else "")
    )
    return lines


def sections(
    dataset: Dataset, register: Register, sozialraum_id: str, *, by: Principal, public: bool, lang: str = "de"
) -> list[Section]:
    """
    The Mappe's sections after its first page, in the reader's language.

    Raises
    ------
    AccessDeniedError
        The tandem variant for someone who may not read what is known here.
    """

    def t(key: str, **kw: object) -> str:
        return i18n.translate(key, lang, **kw)

    reader = Principal.public() if public else by
    known = knowledge.what_we_know(register, sozialraum_id, by=reader, need_full=not public)
    out: list[Section] = []
    wp = dataset.welcome_points
    here = wp[wp["sozialraum_id"] == sozialraum_id] if "sozialraum_id" in wp.columns else wp.iloc[0:0]
    wp_lines = [
        f"• {r.name}, {r.address}" + (f" ({r.organisation})" if r.organisation else "")
        for r in here.itertuples()
    ]
    out.append(Section(t("dossier.welcome_point"), wp_lines or [t("dossier.no_welcome_point")]))
    active = [p for p in known.partners if p.status != "closed"]
    closed = [p for p in known.partners if p.status == "closed"]
    lines = [line for p in active for line in _partner_lines(p, lang, with_contacts=not public)]
    out.append(Section(t("dossier.partners", n=len(active)), lines or [t("dossier.no_partners")]))
    if closed:
        out.append(Section(t("dossier.partners_closed"), [f"• {p.name}" for p in closed]))
    debrief_lines: list[str] = []
    for d in known.debriefs.itertuples():
        when = i18n.format_date(d.starts_at, lang)
        head = f"• {when}: {d.title}" + (f" ({d.tandem})" if d.tandem and not public else "")
        debrief_lines.append(head)
        if pd.notna(d.reached):
            debrief_lines.append(
                "  "
                + " · ".join(
                    x
                    for x in (
                        t("knowledge.reached", n=int(d.reached)),
                        d.groups,
                        i18n.language_list(d.languages or "", lang),
                    )
                    if x
                )
            )
        for label, text in (("knowledge.worked", d.worked), ("knowledge.differently", d.differently)):
            if text:
                debrief_lines.append(f"  {t(label)}: {text}")
        if d.partners:
            debrief_lines.append(f"  {t('knowledge.partners_took_part')}: {d.partners}")
        debrief_lines.append(f"  {t('knowledge.repeat')}: " + t(f"knowledge.repeat.{d.repeat}"))
    out.append(Section(t("dossier.debriefs"), debrief_lines or [t("dossier.no_debriefs")]))
    concern_lines: list[str] = []
    for c in known.concerns.itertuples():
        status = t(f"concerns.status_{c.status}")
        concern_lines.append(f"• {c.thema} ({status}, {i18n.format_date(c.created_at, lang)})")
        if (answer := known.answers.get(int(c.id))) is not None:
            concern_lines.append(f"  {t('dossier.answer')}: {answer}")
    out.append(Section(t("dossier.concerns"), concern_lines or [t("dossier.no_concerns")]))
    activity_lines = [
        f"• {i18n.format_date(a.starts_at, lang)}: {a.title} ("
        + t(f"activities.status_{a.status}")
        + ")"
        + (f", {a.tandem}" if a.tandem and not public else "")
        for a in known.activities.sort_values("starts_at", ascending=False).itertuples()
    ]
    out.append(Section(t("dossier.activities"), activity_lines or [t("dossier.no_activities")]))
    return out


def as_markdown(section: Section) -> str:
    """A section's paragraphs as Markdown for a page: list items, their lines indented under them, escaped."""
    lines = []
    for paragraph in section.paragraphs:
        if paragraph.startswith("• "):
            lines.append(f"- **{markdown_text(paragraph[2:])}**")
        elif paragraph.startswith(" "):
            lines.append(f"  {markdown_text(paragraph.strip())}  ")
        else:
            lines.append(markdown_text(paragraph))
    return "\n".join(lines)


def _text_pages(title: str, parts: list[Section], *, footer: str, demo: bool, lang: str) -> list[Figure]:
    """The sections flowed onto A4 pages (lines wrapped to the column; a heading never last on a page)."""
    width_pt = _WIDTH * A4_PORTRAIT[0] * _PT
    height = A4_PORTRAIT[1]
    line_body = BODY_SIZE * 1.45 / _PT / height
    line_head = HEAD_SIZE * 1.9 / _PT / height
    rows: list[tuple[str, str]] = []
    for sec in parts:
        rows.append(("head", sec.title))
        for paragraph in sec.paragraphs:
            indent = len(paragraph) - len(paragraph.lstrip(" "))
            wrapped, _ = fill_lines(printable(paragraph.strip()), width_pt - indent * 4.5, size=BODY_SIZE)
            rows += [("body", " " * indent + w) for w in wrapped]
    pages: list[Figure] = []
    fig: Figure | None = None
    y = 0.0
    for n, (kind, text) in enumerate(rows):
        step = line_head if kind == "head" else line_body
        needs = step + (line_body * 2 if kind == "head" else 0)
        if fig is None or y - needs < 0.06:
            fig = Figure(figsize=A4_PORTRAIT, dpi=snapshot.DPI)
            fig.text(_LEFT, 0.965, title, fontsize=10, color="#444444", va="top")
            fig.text(_LEFT, 0.02, footer, fontsize=7, color="#333333", va="bottom")
            if demo:
                snapshot.demo_mark(fig, lang)
            pages.append(fig)
            y = 0.93
        if kind == "head" and n:
            y -= line_body * 0.6
        fig.text(
            _LEFT,
            y,
            text,
            fontsize=HEAD_SIZE if kind == "head" else BODY_SIZE,
            fontweight="bold" if kind == "head" else "normal",
            va="top",
        )
        y -= step
    return pages


def text_pdf(title: str, parts: list[Section], *, footer: str, demo: bool, lang: str) -> bytes:
    """Sections as an A4 PDF of flowed text (the minutes of a meeting use it too)."""
    with mpl.rc_context(snapshot.RC):
        pages = _text_pages(title, parts, footer=footer, demo=demo, lang=lang)
        buffer = io.BytesIO()
        with PdfPages(buffer, metadata={"Title": printable(title), "Creator": "Sozialraum-Karte"}) as doc:
            for page in pages:
                snapshot.clean_texts(page)
                doc.savefig(page, dpi=snapshot.DPI)
    return buffer.getvalue()


def _title(dataset: Dataset, sozialraum_id: str, lang: str, *, public: bool) -> str:
    spaces = dataset.spaces
    name = str(spaces.loc[spaces["sozialraum_id"] == sozialraum_id, "name"].iloc[0])
    key = "dossier.title_public" if public else "dossier.title"
    return i18n.translate(key, lang, name=name, id=sozialraum_id)


def _check_id(dataset: Dataset, sozialraum_id: str) -> None:
    if sozialraum_id not in set(dataset.spaces["sozialraum_id"]):
        raise RegisterError("register.unknown_sozialraum", id=sozialraum_id)


def pdf(
    dataset: Dataset,
    register: Register,
    sozialraum_id: str,
    *,
    by: Principal,
    public: bool = False,
    lang: str = "de",
) -> bytes:
    """The Mappe as an A4 PDF: the fact sheet's page, then the sections."""
    _check_id(dataset, sozialraum_id)
    parts = sections(dataset, register, sozialraum_id, by=by, public=public, lang=lang)
    prepared = snapshot.prepare(dataset, MapView(mode="index"), register.active_assignments(), lang=lang)
    title = _title(dataset, sozialraum_id, lang, public=public)
    with mpl.rc_context(snapshot.RC):
        first = fact_sheet_figure(dataset, prepared, sozialraum_id, lang=lang)
        footer = f"{source_line(dataset.meta, lang)} · {i18n.translate('dossier.variant_public' if public else 'dossier.variant_tandem', lang)}"
        pages = [first, *_text_pages(title, parts, footer=footer, demo=dataset.meta.demo, lang=lang)]
        buffer = io.BytesIO()
        with PdfPages(buffer, metadata={"Title": printable(title), "Creator": "Sozialraum-Karte"}) as doc:
            for page in pages:
                snapshot.clean_texts(page)
                doc.savefig(page, dpi=snapshot.DPI)
    return buffer.getvalue()


def html_page(
    dataset: Dataset,
    register: Register,
    sozialraum_id: str,
    *,
    by: Principal,
    public: bool = False,
    lang: str = "de",
) -> bytes:
    """The Mappe as one offline HTML page (the map as an embedded picture, every text escaped)."""
    _check_id(dataset, sozialraum_id)
    parts = sections(dataset, register, sozialraum_id, by=by, public=public, lang=lang)
    prepared = snapshot.prepare(dataset, MapView(mode="index"), register.active_assignments(), lang=lang)
    with mpl.rc_context(snapshot.RC):
        fig = Figure(figsize=(6, 4.5), dpi=snapshot.DPI)
        ax = fig.add_axes((0.01, 0.01, 0.98, 0.98))
        snapshot.draw_map(ax, dataset, prepared, lang=lang, labels=False, highlight=sozialraum_id)
        picture = base64.b64encode(snapshot.to_bytes(fig, "png")).decode("ascii")
    title = _title(dataset, sozialraum_id, lang, public=public)

    def esc(text: str) -> str:
        return html.escape(printable(text))

    body = []
    for sec in parts:
        body.append(f"<h2>{esc(sec.title)}</h2>")
        items = list(sec.paragraphs)
        body.append("<ul>" if any(p.startswith("• ") for p in items) else "<div>")
        for p in items:
            if p.startswith("• "):
                body.append(f"<li><strong>{esc(p[2:])}</strong>")
            else:
                body.append(f"<p>{esc(p.strip())}</p>")
        body.append("</ul>" if any(p.startswith("• ") for p in items) else "</div>")
    demo = f'<p class="demo">{esc(i18n.translate("map.demo_mark", lang))}</p>' if dataset.meta.demo else ""
    direction = "rtl" if lang == "ar" else "ltr"
    variant = i18n.translate("dossier.variant_public" if public else "dossier.variant_tandem", lang)
    page = f"""<!doctype html>
<html lang="{esc(lang)}" dir="{direction}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:48rem;margin:1rem auto;padding:0 1rem;line-height:1.5}}
img{{max-width:100%;height:auto}} .demo{{background:#fff3cd;border:1px solid #c9a227;padding:.4rem}}
li p{{margin:.1rem 0}} footer{{font-size:.8rem;color:#333;margin-top:2rem}}</style></head>
<body><h1>{esc(title)}</h1>{demo}
<img src="data:image/png;base64,{picture}" alt="{esc(i18n.translate("dossier.map_alt", lang, id=sozialraum_id))}">
{"".join(body)}
<footer>{esc(source_line(dataset.meta, lang))} · {esc(variant)}</footer>
</body></html>
"""
    return page.encode("utf-8")
