"""
The minutes of a monthly meeting as a document.

Who was there, each decision with its method and result, who carries it forward, what went to the city and
what it answered.

Two copies: the group's (names of those present, who carries what, each person's objection, resistance or
vote as given) and the public one (no name, only decisions marked public). The figures come from
`geo.register.decide.minutes`; this module only writes them (`sections`, `pdf`).
"""

from __future__ import annotations

from datetime import date

from geo.core import i18n
from geo.core.access import Principal
from geo.output.dossier import Section, text_pdf
from geo.register import decide
from geo.register.store import Register


def _totals(method: str, totals: dict[str, int], lang: str) -> str:
    """The counts behind a result: resistance per option, votes per answer, serious objections."""
    if method == "consensing":
        parts = [f"{option}: {i18n.format_number(n, lang, decimals=0)}" for option, n in totals.items()]
        return i18n.translate("minutes.resistance_total", lang, totals=" · ".join(parts))
    if method == "majority":
        parts = [
            f"{i18n.translate(f'group.vote.{o}', lang) if o in decide.VOTES else o}: {i18n.format_number(n, lang, decimals=0)}"
            for o, n in totals.items()
        ]
        return i18n.translate("minutes.votes", lang, totals=" · ".join(parts))
    serious = sum(totals.values())
    return i18n.translate("minutes.objections", lang, n=serious)


def _said(given: object, method: str, lang: str) -> list[tuple[str, str]]:
    """Each present person's input in words, one line per person (the group's copy only)."""
    per: dict[str, list[str]] = {}
    for entry in given.itertuples():  # type: ignore[attr-defined]
        if method == "majority":
            said = (
                i18n.translate(f"group.vote.{entry.option}", lang)
                if entry.option in decide.VOTES
                else entry.option
            )
        elif method == "consensing":
            said = f"{entry.option} {entry.value}"
        elif entry.value:  # consent: only a serious objection is worth a line
            said = i18n.translate("minutes.serious", lang) + (f" ({entry.text})" if entry.text else "")
        else:
            continue
        per.setdefault(str(entry.name), []).append(str(said))
    return [(name, " · ".join(parts)) for name, parts in per.items()]


def sections(
    register: Register, *, by: Principal, held_on: date | None = None, public: bool = False, lang: str = "de"
) -> tuple[str, list[Section]]:
    """The minutes' title and sections."""

    def t(key: str, **kw: object) -> str:
        return i18n.translate(key, lang, **kw)

    found = decide.minutes(register, by=by, held_on=held_on, public=public)
    title = t("minutes.title", date=i18n.format_date(found.held_on, lang)) + (
        f" ({t('minutes.public_copy')})" if public else ""
    )
    present = [t("minutes.present_count", n=found.present_count, quorum=found.quorum)]
    present += [f"• {name}" for name in found.present]
    out = [Section(t("minutes.present"), present)]
    lines: list[str] = []
    for row in found.decisions.itertuples():
        lines.append(f"• {row.title}")
        lines.append(f"  {t('minutes.method')}: {t(f'decide.method.{row.method}')}")
        lines.append(
            f"  {decide.result_in_words(str(row.method), tuple(row.winners), tie=bool(row.tie), adopted=bool(row.adopted), lang=lang)} ({_totals(str(row.method), dict(row.totals), lang)})"
        )
        if row.carried_by:
            lines.append(
                "  "
                + (
                    t("group.carried", name=row.carried_by, date=i18n.format_date(row.due_on, lang))
                    if row.due_on
                    else t("group.carried_name", name=row.carried_by)
                )
            )
        if row.to_city:
            lines.append(f"  {t('group.to_city')}")
            if row.city_answer:
                lines.append(f"  {t('group.city_answer')}: {row.city_answer}")
            if row.city_changed:
                lines.append(f"  {t('group.city_changed')}: {row.city_changed}")
        given = found.inputs.get(int(row.id))
        if given is not None and not given.empty:
            lines += [f"    {name}: {said}" for name, said in _said(given, str(row.method), lang)]
    empty = t("minutes.none_public") if public else t("group.no_decisions")
    out.append(Section(t("minutes.decisions"), lines or [empty]))
    if found.elected:
        out.append(
            Section(
                t("minutes.elected"),
                [f"• {name}: {t(f'decide.role.{role}')}" for name, role in found.elected],
            )
        )
    return title, out


def pdf(
    register: Register,
    *,
    by: Principal,
    held_on: date | None = None,
    public: bool = False,
    lang: str = "de",
    demo: bool = False,
) -> bytes:
    """The minutes as an A4 PDF."""
    title, parts = sections(register, by=by, held_on=held_on, public=public, lang=lang)
    footer = i18n.translate("minutes.footer_public" if public else "minutes.footer_group", lang)
    return text_pdf(title, parts, footer=footer, demo=demo, lang=lang)
