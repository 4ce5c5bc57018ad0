"""Partner: the local network of the tandems (who offers what, when, in which language), and its exchange."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pandas as pd
import streamlit as st

from app_pages.ui.datasets import labels_current, load_current, register
from app_pages.ui.page import explain_words, friendly_errors
from app_pages.ui.people import principal
from app_pages.ui.records import partner_views
from app_pages.ui.text import bound, labelled, lang, plain, t
from app_pages.ui.widgets import multiselect, panels, prepared_download, tandem_names
from geo.core import i18n
from geo.core.access import Action, Principal
from geo.core.tables import csv_bytes
from geo.data.dataset import Dataset
from geo.output import nearby
from geo.register import hsds, partners, privacy

st.title(t("partners.title"))
st.caption(t("partners.intro"))
explain_words("partners")


def flash(kind: str) -> None:
    """The confirmation of a save, where the person is (and as a toast, seen wherever the page is scrolled)."""
    if message := st.session_state.pop(f"partners_flash_{kind}", None):
        st.success(message, icon=":material/check_circle:")
        st.toast(t("app.saved_short"), icon=":material/check_circle:")  # short: a long toast adds "view more"


def area_names(ids: tuple[str, ...], labels: dict[str, str]) -> str:
    """Sozialraum IDs as their names."""
    return ", ".join(labels.get(i, i) for i in ids)


def show_partner(
    view: partners.PartnerView, labels: dict[str, str], *, editable: bool, who: Principal
) -> None:
    """One partner as a card: offers, places with opening hours, languages; contacts for whom may see them."""
    with st.container(border=True, key=f"partners_card_{view.id}"):
        st.markdown(f"**{plain(view.name)}**")
        status = t(f"partners.status.{view.status}")
        checked = (
            i18n.format_date(view.assured_date, lang()) if view.assured_date else t("partners.never_checked")
        )
        st.caption(
            " · ".join(
                [status, area_names(view.sozialraum_ids, labels), t("partners.checked_on", date=checked)]
            )
        )
        if view.stale:
            st.warning(t("partners.stale_hint", months=partners.check_months()), icon=":material/update:")
        if view.description:
            st.markdown(plain(view.description))
        for offer in view.offers:
            parts = [
                t(f"partners.topic.{offer.topic}"),
                *(
                    x
                    for x in (i18n.language_list(offer.languages, lang()), offer.target_group, offer.cost)
                    if x
                ),
            ]
            st.markdown(f"- **{plain(offer.name)}**: {plain(' · '.join(parts))}")
            if offer.access:
                st.markdown(f"  {t('partners.access')}: {plain(offer.access)}")
        for place in view.places:
            lines = [partners.address(place), *partners.hours_lines(place.hours, lang()), place.accessibility]
            st.markdown("  \n".join(plain(x) for x in lines if x))
        public = " · ".join(x for x in (view.phone, view.email, view.website) if x)
        if public:
            st.markdown(plain(public))
        if view.private:
            show_contacts(view, who)
        if editable:
            c1, c2 = st.columns(2)
            if c1.button(
                t("partners.check_button"), key=f"partners_check_{view.id}", icon=":material/task_alt:"
            ):
                with friendly_errors():
                    partners.check_partner(register(), view.id, by=who, version=view.version)
                    st.session_state[f"partners_flash_{view.id}"] = t(
                        "partners.checked", name=plain(view.name)
                    )
                    st.rerun()
            c2.button(
                t("partners.edit_button"),
                key=f"partners_edit_{view.id}",
                icon=":material/edit:",
                on_click=lambda pid=view.id: st.session_state.update(partners_editing=pid),
            )
        flash(view.id)
        if editable and st.session_state.get("partners_editing") == view.id:
            partner_form(who, labels, view)


def show_contacts(view: partners.PartnerView, who: Principal) -> None:
    """The contact people (personal data: shown only here, to the partner's tandems and the coordination)."""
    st.markdown(f"**{t('partners.contacts_title')}**")
    st.caption(t("partners.contacts_privacy"))
    for contact in view.contacts:
        basis = (
            t("partners.basis_consent_on", date=i18n.format_date(contact.consent_on, lang()))
            if contact.basis == "consent" and contact.consent_on
            else t(f"partners.basis.{contact.basis}")
        )
        line = ", ".join(plain(x) for x in (contact.name, contact.title, contact.phone, contact.email) if x)
        c1, c2 = st.columns([4, 1])
        c1.markdown(f"{line}  \n{plain(basis)}")
        if c2.button(
            t("partners.erase_contact"), key=f"partners_erase_{contact.id}", icon=":material/delete:"
        ):
            with friendly_errors():
                partners.erase_contact(register(), contact.id, by=who)
                st.session_state[f"partners_flash_{view.id}"] = t("partners.contact_erased")
                st.rerun()
    with (
        st.expander(t("partners.add_contact"), icon=":material/person_add:"),
        st.form(f"partners_contact_{view.id}", clear_on_submit=True),
    ):
        name = st.text_input(t("partners.contact_name"))
        title = st.text_input(t("partners.contact_role"))
        phone = st.text_input(t("partners.contact_phone"))
        email = st.text_input(t("partners.contact_email"))
        chosen_basis = st.radio(
            t("partners.basis_question"),
            partners.CONTACT_BASES,
            format_func=bound(lambda b: t(f"partners.basis.{b}")),
            index=None,
        )
        consent_on = st.date_input(
            t("partners.consent_on"), value=None, max_value=date.today(), format="DD.MM.YYYY"
        )
        if st.form_submit_button(t("tandems.save"), type="primary"):
            with friendly_errors():
                partners.add_contact(
                    register(),
                    view.id,
                    partners.Contact(
                        name=name,
                        title=title,
                        phone=phone,
                        email=email,
                        basis=chosen_basis or "",
                        consent_on=consent_on,
                    ),
                    by=who,
                )
                st.session_state[f"partners_flash_{view.id}"] = t("partners.contact_saved", name=plain(name))
                st.rerun()


def offer_fields(offer: partners.Offer) -> partners.Offer:
    """The form's part for the partner's (first) offer."""
    st.markdown(f"**{t('partners.offer_title')}**")
    name = st.text_input(t("partners.offer_name"), value=offer.name)
    topic = st.selectbox(
        t("partners.topic_label"),
        partners.TOPICS,
        index=partners.TOPICS.index(offer.topic),
        format_func=bound(lambda x: t(f"partners.topic.{x}")),
    )
    languages = st.text_input(
        t("partners.languages"), value=offer.languages, help=t("partners.languages_help")
    )
    target = st.text_input(t("partners.target_group"), value=offer.target_group)
    cost = st.text_input(t("partners.cost"), value=offer.cost)
    access = st.text_input(t("partners.access"), value=offer.access)
    return partners.Offer(
        id=offer.id,
        name=name,
        topic=str(topic),
        languages=languages,
        target_group=target,
        cost=cost,
        access=access,
    )


def place_fields(place: partners.Place) -> SimpleNamespace:
    """The form's part for the partner's (first) place: address, opening hours as typed, accessibility."""
    st.markdown(f"**{t('partners.place_title')}**")
    street = st.text_input(t("partners.street"), value=place.street)
    c1, c2 = st.columns([1, 2])
    postal = c1.text_input(t("partners.postal_code"), value=place.postal_code)
    city = c2.text_input(t("partners.city"), value=place.city)
    hours = st.text_input(
        t("partners.hours"), value=partners.hours_text(place.hours, lang()), help=t("partners.hours_help")
    )
    accessibility = st.text_input(t("partners.accessibility"), value=place.accessibility)
    return SimpleNamespace(street=street, postal=postal, city=city, hours=hours, accessibility=accessibility)


def contact_fields(
    who: Principal, view: partners.PartnerView | None, points: pd.DataFrame
) -> SimpleNamespace:
    """The form's part for how to reach the organisation, its state, its Welcome Point and its tandems."""
    names = tandem_names()
    own_tandems = list(names) if who.all_tandems() else [i for i in names if i in who.tandem_ids]
    st.markdown(f"**{t('partners.contact_org_title')}**")
    phone = st.text_input(t("partners.org_phone"), value=view.phone if view else "")
    email = st.text_input(t("partners.org_email"), value=view.email if view else "")
    website = st.text_input(t("partners.website"), value=view.website if view else "")
    status = st.selectbox(
        t("partners.status_label"),
        partners.STATUSES,
        index=partners.STATUSES.index(view.status) if view else 0,
        format_func=bound(lambda x: t(f"partners.status.{x}")),
    )
    wp_options = [None, *points.index]
    welcome_point = st.selectbox(
        t("partners.welcome_point"),
        wp_options,
        index=wp_options.index(view.welcome_point_id) if view and view.welcome_point_id in wp_options else 0,
        format_func=bound(lambda w: t("explore.filter_none") if w is None else str(points.loc[w, "name"])),
    )
    tandems = multiselect(
        t("partners.tandems"),
        sorted(set(own_tandems) | set(view.tandem_ids if view else ())),
        default=list(view.tandem_ids) if view else own_tandems[:1],
        format_func=bound(lambda i: names.get(i, str(i))),
    )
    return SimpleNamespace(
        phone=phone, email=email, website=website, status=status, welcome_point=welcome_point, tandems=tandems
    )


def save_partner(
    who: Principal, labels: dict[str, str], view: partners.PartnerView | None, form: SimpleNamespace
) -> None:
    """Save what the form holds (the place's point found from its street), say so beside the form, rerun."""
    data, _ = load_current()
    old, typed = form.old_place, form.place
    point = nearby.locate_street(data, typed.street) if typed.street.strip() else None
    kept_point = old.point if typed.street.strip() == old.street else None
    place = partners.Place(
        id=old.id,
        street=typed.street,
        postal_code=typed.postal,
        city=typed.city,
        point=point or kept_point,
        accessibility=typed.accessibility,
        hours=partners.parse_hours(typed.hours),
    )
    contact = form.contact
    pid = partners.save_partner(
        register(),
        partners.PartnerInput(
            name=form.name,
            sozialraum_ids=tuple(form.areas),
            description=form.description,
            email=contact.email,
            phone=contact.phone,
            website=contact.website,
            status=contact.status,
            welcome_point_id=contact.welcome_point,
            tandem_ids=tuple(contact.tandems),
            keeper_id=view.keeper_id if view else who.connector_id,
            offers=partners.first_edited(
                view.offers if view else (), form.offer, keep=bool(form.offer.name.strip())
            ),
            places=partners.first_edited(
                view.places if view else (), place, keep=bool(typed.street.strip() or typed.hours.strip())
            ),
        ),
        by=who,
        known_ids=set(labels),
        partner_id=view.id if view else None,
        version=view.version if view else None,
    )
    message = t("partners.saved", name=plain(form.name))
    if typed.street.strip() and point is None and kept_point is None:
        message += " " + t("partners.no_point")
    st.session_state[f"partners_flash_{pid if view else 'new'}"] = message
    if view is None:
        st.session_state["partners_new_round"] = st.session_state.get("partners_new_round", 0) + 1
    st.session_state.pop("partners_editing", None)
    st.rerun()


def partner_form(who: Principal, labels: dict[str, str], view: partners.PartnerView | None) -> None:
    """Add a partner (`view` None) or change one: organisation, one offer, one place with its opening hours."""
    # a new partner's form gets a new key after each save: an empty form, not the last one to send again
    key = (
        f"partners_form_{view.id}"
        if view
        else f"partners_form_new_{st.session_state.get('partners_new_round', 0)}"
    )
    areas = partners.editable_areas(register(), by=who)
    options = (
        list(labels)
        if areas is None
        else [a for a in labels if a in areas or (view and a in view.sozialraum_ids)]
    )
    if not options:
        st.info(t("partners.no_area"))
        return
    old_place = view.places[0] if view and view.places else partners.Place()
    points = load_current()[0].welcome_points.set_index("welcome_point_id")
    with st.form(key):
        name = st.text_input(t("partners.name"), value=view.name if view else "")
        chosen_areas = multiselect(
            t("partners.areas"),
            options,
            default=[a for a in (view.sozialraum_ids if view else options[:1]) if a in options],
            format_func=labelled(labels),
        )
        description = st.text_area(t("partners.description"), value=view.description if view else "")
        offer = offer_fields(view.offers[0] if view and view.offers else partners.Offer(name=""))
        place = place_fields(old_place)
        contact = contact_fields(who, view, points)
        if st.form_submit_button(t("tandems.save"), type="primary"):
            form = SimpleNamespace(
                name=name,
                areas=chosen_areas,
                description=description,
                offer=offer,
                place=place,
                old_place=old_place,
                contact=contact,
            )
            with friendly_errors():
                save_partner(who, labels, view, form)
    if view is not None and st.button(t("partners.cancel_edit"), key=f"{key}_cancel"):
        st.session_state.pop("partners_editing", None)
        st.rerun()


def list_panel(who: Principal, labels: dict[str, str]) -> None:
    """The partners, filtered by Sozialraum, topic and language; the ones to check again first if asked."""
    views = partner_views(who)
    topics, languages = partners.topics_and_languages(views)
    active = sum(
        bool(st.session_state.get(k)) for k in ("partners_area", "partners_topic", "partners_language")
    )
    label = t("explore.filters") + (f" ({i18n.format_number(active, lang(), decimals=0)})" if active else "")
    with st.popover(label, icon=":material/filter_alt:", key="partners_filter_menu"):
        area, topic, language = filters(views, labels, topics, languages)
    stale_only = st.toggle(t("partners.stale_only"), key="partners_stale") if not who.is_public else False
    shown_closed = st.toggle(t("partners.show_closed"), key="partners_closed")
    chosen = [
        v
        for v in views
        if (area is None or area in v.sozialraum_ids)
        and (topic is None or topic in v.topics)
        and (language is None or language in v.languages)
        and (not stale_only or v.stale)
        and (shown_closed or v.status != "closed")
    ]
    st.caption(t("partners.count", n=len(chosen)))
    if not views:
        st.info(t("partners.none_yet"))
    areas = partners.editable_areas(register(), by=who)
    for view in chosen:
        show_partner(view, labels, editable=partners.may_edit(view, areas), who=who)


def filters(
    views: list[partners.PartnerView], labels: dict[str, str], topics: list[str], languages: list[str]
) -> tuple[str | None, str | None, str | None]:
    """The list's filters: a Sozialraum, a topic, a language (None: all)."""
    area = st.selectbox(
        t("partners.filter_area"),
        [None, *sorted({a for v in views for a in v.sozialraum_ids})],
        format_func=bound(lambda a: t("partners.filter_all") if a is None else labels.get(a, a)),
        key="partners_area",
    )
    topic = st.selectbox(
        t("partners.topic_label"),
        [None, *topics],
        format_func=bound(lambda x: t("partners.filter_all") if x is None else t(f"partners.topic.{x}")),
        key="partners_topic",
    )
    language = st.selectbox(
        t("partners.language_filter"),
        [None, *languages],
        format_func=bound(lambda x: t("partners.filter_all") if x is None else i18n.language_name(x, lang())),
        key="partners_language",
    )
    return area, topic, language


def import_partners(who: Principal, data: Dataset) -> None:
    """Import an HSDS package or the city's registry (coordination), and say what was created, changed, left out."""
    st.divider()
    st.markdown(f"**{t('partners.import_title')}**")
    upload = st.file_uploader(t("partners.import_hsds"), type=["zip"], key="partners_upload")
    registry = st.file_uploader(t("partners.import_registry"), type=["csv"], key="partners_registry")
    if not st.button(
        t("partners.import_button"), disabled=upload is None and registry is None, type="primary"
    ):
        return
    with friendly_errors():
        if upload is not None:
            result = hsds.import_zip(register(), upload.getvalue(), by=who, spaces=data.spaces)
        else:
            import tempfile  # noqa: PLC0415 - only for this upload
            from pathlib import Path  # noqa: PLC0415

            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "registry.csv"
                path.write_bytes(registry.getvalue())  # type: ignore[union-attr]
                result = hsds.import_registry(register(), path, by=who, spaces=data.spaces)
        st.success(t("cli.partners_imported", created=result.created, updated=result.updated))
        if result.outside:
            st.warning(
                t("cli.partners_outside", n=len(result.outside), names=plain("; ".join(result.outside)))
            )
        if result.without_area:
            names = plain("; ".join(result.without_area))
            st.warning(t("cli.partners_without_area", n=len(result.without_area), names=names))
        for name, key in result.problems:
            st.error(f"{plain(name)}: {t(key)}")


def contacts_export(who: Principal) -> None:
    """A partner's contact person asks what is stored about them (Art. 15): the contacts as a CSV file."""
    st.divider()
    st.markdown(f"**{t('partners.contacts_export_title')}**")
    st.caption(t("partners.contacts_export_hint"))

    def contacts() -> bytes:
        return csv_bytes(privacy.partner_contacts_export(register(), by=who))

    prepared_download(
        "partners_contacts",
        prepare=t("partners.contacts_export_prepare"),
        make=lambda: [
            (t("partners.contacts_export_download"), contacts(), "partner-kontaktpersonen.csv", "text/csv")
        ],
    )


def exchange_panel(who: Principal) -> None:
    """The partner list as Open Referral HSDS data: a download for everyone, imports for the coordination."""
    st.markdown(t("partners.exchange_intro"))
    data, _ = load_current()

    def package() -> bytes:
        return hsds.package_zip(register(), by=who, source_note=data.meta.title, demo=data.meta.demo)

    prepared_download(
        "partners_hsds",
        prepare=t("partners.prepare_hsds"),
        make=lambda: [(t("partners.download_hsds"), package(), "partner-hsds.zip", "application/zip")],
    )
    if not who.all_tandems() or not who.may(Action.WRITE_PARTNER):
        return
    import_partners(who, data)
    if who.may(Action.READ_REGISTER):
        contacts_export(who)


who = principal()
labels = labels_current()
options = {"list": t("partners.tab_list")}
if who.may(Action.WRITE_PARTNER):
    options["new"] = t("partners.tab_new")
options["exchange"] = t("partners.tab_exchange")
panel, tabs = panels("partners", options)
with friendly_errors():
    if panel == "list":
        with tabs["list"]:
            list_panel(who, labels)
    elif panel == "new":
        with tabs["new"]:
            flash("new")
            st.caption(t("partners.new_hint"))
            partner_form(who, labels, None)
    else:
        with tabs["exchange"]:
            exchange_panel(who)
