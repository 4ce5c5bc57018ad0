"""Daten: what the app shows, its validation report, and loading the official data."""

import tempfile
from pathlib import Path

import streamlit as st

from app_pages.ui.datasets import clear_caches, load_current, register
from app_pages.ui.page import explain_words, friendly_errors
from app_pages.ui.people import principal
from app_pages.ui.text import bound, labelled, lang, plain, t
from geo.core import i18n
from geo.core.access import Action
from geo.core.report import Report
from geo.core.settings import PORTAL_BASE_URL, get_settings
from geo.data import city, corrections, imports, provenance, series
from geo.data import dataset as dataset_module
from geo.data.dataset import Dataset
from geo.output import maps, nearby

st.title(t("data.title"))
explain_words("data")


def show_report(report: Report) -> None:
    """Errors as red boxes, warnings in a list the user can open."""
    for issue in report.errors:
        st.error(f"{plain(issue.message(lang()))} ({issue.code})")
    if report.warnings:
        with st.expander(t("data.warnings", n=len(report.warnings))):
            for issue in report.warnings:
                st.markdown(f"- {plain(issue.message(lang()))} `{issue.code}`")
    elif report.usable:
        st.success(t("data.no_findings"))


def use_official(folder: Path, message: str) -> None:
    """Make the imported folder the app's dataset, forget cached data, and rerun with a notice."""
    clear_caches()
    st.session_state["app_dataset"] = str(folder)
    st.session_state["data_flash"] = (message,)
    st.rerun()


def show_dataset(data: Dataset) -> None:
    """The dataset shown: title, where each part comes from, what it holds, its checks and repairs."""
    st.subheader(t("data.current"))
    st.markdown(f"**{plain(data.meta.title)}**")
    if data.meta.demo:
        st.markdown(plain(maps.source_line(data.meta, lang())))
    st.markdown(t("data.provenance_title"))
    st.markdown("\n".join(f"- {plain(line)}" for line in provenance.lines(data.meta.layer_records(), lang())))
    c1, c2, c3 = st.columns(3)
    c1.metric(t("data.count_spaces"), len(data.spaces))
    c2.metric(t("data.count_welcome_points"), len(data.welcome_points))
    c3.metric(t("data.count_indicators"), len(data.indicator_ids()))
    if data.nationalities is not None:
        nationalities = plain(", ".join(data.nationalities.columns))
        st.caption(t("data.nationalities", stadtteile=len(data.nationalities), nationalities=nationalities))
    if held := series.summary(data.series):
        st.caption(t("data.series", **held))
    street_count = len(nearby.streets(data))
    st.caption(t("data.streets", n=street_count) if street_count else t("data.no_streets"))
    show_report(data.report)
    if data.import_report is not None:
        repairs = [i for i in data.import_report.issues if i.code not in data.report.codes()]
        if repairs:
            with st.expander(t("data.import_repairs", n=len(repairs))):
                for issue in repairs:
                    st.markdown(f"- {plain(issue.message(lang()))} `{issue.code}`")


official = get_settings().user_dir / "official"
if flash := st.session_state.pop("data_flash", None):
    st.success(flash[0])
with friendly_errors():
    show_dataset(load_current()[0])
who = principal()


def show_corrections(data: Dataset) -> None:
    """The values corrected with evidence; an admin can decline a correction or apply it again."""
    found = [corrections.Correction.from_dict(c) for c in data.report.corrections]
    if not found:
        return
    st.subheader(t("data.corrections_title"))
    st.caption(t("data.corrections_intro"))
    may_decide = who.may(Action.IMPORT_DATA) and not who.demo
    for n, fix in enumerate(found):
        name = data.spaces.set_index("sozialraum_id")["name"].get(fix.sozialraum_id, "")
        line = t(
            "data.correction_line",
            space=plain(f"{name} ({fix.sozialraum_id})"),
            column=plain(data.catalogue.get(fix.indicator).column),
            old=i18n.format_number(fix.old, lang(), decimals=0),
            new=i18n.format_number(fix.new, lang(), decimals=0),
            rule=t(f"data.rule.{fix.rule}"),
            state=t("data.correction_applied" if fix.applied else "data.correction_declined"),
        )
        text, button = st.columns([5, 2], vertical_alignment="center")
        text.markdown(line)
        if may_decide and button.button(
            t("data.correction_undo" if fix.applied else "data.correction_redo"),
            key=f"data_correction_{n}",
            type="tertiary",
        ):
            with friendly_errors():
                corrections.decide(data.folder, fix, apply=not fix.applied, by=who, audit=register())
                clear_caches()
                st.rerun()


with friendly_errors():
    show_corrections(load_current()[0])

if not who.may(Action.IMPORT_DATA):
    st.info(t("data.admins_only"), icon=":material/lock:")
    st.stop()
if who.demo:
    st.info(t("access.demo_no_import"), icon=":material/science:")
    st.stop()


def show_provenance_editor(data: Dataset) -> None:
    """Admins complete what a file does not say about itself: publisher, date, licence, addresses."""
    if data.meta.demo:
        return
    records = {r.kind: r for r in data.meta.layer_records()}
    with st.expander(t("data.provenance_edit")):
        kind = st.selectbox(
            t("data.provenance_layer"),
            list(records),
            key="data_provenance_kind",
            format_func=bound(lambda k: f"{t(f'provenance.kind.{k}')}: {records[k].title}"),
        )
        record = records[str(kind)]
        keys = {field: f"data_provenance_{kind}_{field}" for field in dataset_module.EDITABLE_LAYER_FIELDS}
        with st.form(f"data_provenance_{kind}"):
            values = {
                field: st.text_input(
                    t(f"data.provenance_field.{field}"), value=getattr(record, field), key=key
                )
                for field, key in keys.items()
            }
            st.caption(t("data.provenance_help", known=", ".join(provenance.LICENCES)))
            if st.form_submit_button(t("data.provenance_save")):
                with friendly_errors():
                    changed = {k: v for k, v in values.items() if v != getattr(record, k)}
                    if changed:
                        dataset_module.describe_layer(
                            data.folder, str(kind), changed, by=who, audit=register()
                        )
                        clear_caches()
                        # the form shows what is stored now (a licence's name filled in from its ID)
                        for key in keys.values():
                            st.session_state.pop(key, None)
                        st.session_state["data_provenance_saved"] = True
                        st.rerun()
                    st.info(t("data.provenance_unchanged"), icon=":material/info:")
            # said below the button, where the person is: a message above the page would move every element
            # after it, and Streamlit would draw the section anew, closed
            if st.session_state.pop("data_provenance_saved", False):
                st.success(t("data.provenance_saved"), icon=":material/check_circle:")


with friendly_errors():
    show_provenance_editor(load_current()[0])


def portal_fetch() -> None:
    """Download the official files from the city's portal (or a mirror), then show them."""
    st.divider()
    st.subheader(t("data.fetch_title"))
    st.write(t("data.fetch_text"))
    with st.expander(t("data.mirror")):
        base_url = st.text_input(t("data.base_url"), value=PORTAL_BASE_URL, key="data_base_url")
        st.caption(t("data.allowed_hosts", hosts=plain(", ".join(sorted(imports.allowed_hosts())))))
    if st.button(t("data.fetch_button"), type="primary", key="data_fetch"):
        bar = st.progress(0.0, text=t("data.downloading"))

        def progress(name: str, done: int, total: int | None) -> None:
            """Move the progress bar (files are small, so a fraction per file is enough)."""
            bar.progress(min(done / total, 1.0) if total else 0.5, text=f"{name}: {done // 1024} kB")

        with friendly_errors():
            imports.fetch_official(official, by=who, base_url=base_url, progress=progress, audit=register())
            bar.progress(1.0, text=t("data.done"))
            use_official(official, t("data.fetched", folder=str(official)))


def upload_fields() -> dict[str, object]:
    """The upload fields of Düsseldorf's files, one per kind; the sheet name of the indicators' workbook."""
    st.divider()
    st.subheader(t("data.upload_title"))
    st.write(t("data.upload_text"))
    indicators = st.file_uploader(t("data.upload_indicators"), type=["xlsx", "csv"], key="data_up_indicators")
    sheet = st.text_input(t("data.sheet"), value="", key="data_sheet")
    welcome = st.file_uploader(
        t("data.upload_welcome"), type=["csv", "geojson", "json"], key="data_up_welcome"
    )
    spaces = st.file_uploader(
        t("data.upload_spaces"), type=["geojson", "json", "gpkg", "zip"], key="data_up_spaces"
    )
    nationalities = st.file_uploader(
        t("data.upload_nationalities"),
        type=["csv", "xlsx"],
        key="data_up_nationalities",
        help=t("data.upload_nationalities_help"),
    )
    streets = st.file_uploader(
        t("data.upload_streets"),
        type=["csv", "xlsx", "geojson", "json", "gpkg", "zip"],
        key="data_up_streets",
        help=t("data.upload_streets_help"),
    )
    series_uploads = st.file_uploader(
        t("data.upload_series"),
        type=["csv", "xlsx"],
        accept_multiple_files=True,
        key="data_up_series",
        help=t("data.upload_series_help"),
    )
    return {
        "indicators": indicators,
        "sheet": sheet,
        "welcome_points": welcome,
        "sozialraeume": spaces,
        "nationalities": nationalities,
        "streets": streets,
        "series": series_uploads,
    }


def upload_import() -> None:
    """Import the uploaded files (each part optional: the rest stays as it is), then show them."""
    up = upload_fields()
    files_given = [
        up[k] for k in ("indicators", "welcome_points", "sozialraeume", "nationalities", "streets")
    ]
    if st.button(t("data.import_button"), disabled=not (any(files_given) or up["series"]), key="data_import"):
        with friendly_errors(), tempfile.TemporaryDirectory() as tmp:

            def saved(upload: object) -> Path | None:
                """Write an upload to the temporary folder under its own name."""
                if upload is None:
                    return None
                path = Path(tmp) / Path(upload.name).name  # type: ignore[attr-defined]
                path.write_bytes(upload.getvalue())  # type: ignore[attr-defined]
                return path

            with st.spinner(t("data.importing")):
                imports.import_files(
                    official,
                    by=who,
                    audit=register(),
                    sozialraeume=saved(up["sozialraeume"]),
                    indicators=saved(up["indicators"]),
                    welcome_points=saved(up["welcome_points"]),
                    nationalities=saved(up["nationalities"]),
                    streets=saved(up["streets"]),
                    series=[p for p in map(saved, up["series"] or []) if p is not None],  # type: ignore[call-overload]
                    sheet=str(up["sheet"]) or None,
                )
            use_official(official, t("data.imported", folder=str(official)))


def city_import() -> None:
    """Another city's files as it publishes them, read with its profile (checked first, imported if usable)."""
    st.subheader(t("data.city_title"))
    st.write(t("data.city_text"))
    own = "__own__"
    choices = [city.DEFAULT_PROFILE, *(k for k in city.bundled() if k != city.DEFAULT_PROFILE), own]
    names = {key: city.load_profile(key).name for key in city.bundled()} | {own: t("data.city_own_profile")}
    choice = st.selectbox(
        t("data.city_profile"), choices, format_func=labelled(names), key="data_city_profile"
    )
    profile_file = (
        st.file_uploader(t("data.city_profile_file"), type=["toml"], key="data_city_profile_file")
        if choice == own
        else None
    )
    uploads = st.file_uploader(
        t("data.city_files"),
        type=sorted(s.lstrip(".") for s in city.UPLOAD_SUFFIXES),
        accept_multiple_files=True,
        key="data_city_files",
        help=t("data.city_files_help"),
    )
    if not st.button(
        t("data.city_button"),
        disabled=not uploads or (choice == own and profile_file is None),
        key="data_city_import",
        type="primary",
    ):
        return
    with friendly_errors(), tempfile.TemporaryDirectory() as tmp:
        upload = (profile_file.name, profile_file.getvalue()) if profile_file is not None else None
        profile = imports.city_profile(str(choice), upload, Path(tmp) / "profil")
        with st.spinner(t("data.importing")):
            checked = imports.check_city_uploads(
                profile, [(u.name, u.getvalue()) for u in uploads or []], Path(tmp) / "dateien"
            )
        with i18n.city_words(profile.words):
            lines = city.check_lines(checked, lang())
        if not checked.report.usable:
            st.error(t("data.city_unusable"), icon=":material/error:")
            st.markdown("\n".join(f"- {plain(line)}" for line in lines))
            return
        folder = get_settings().user_dir / f"stadt-{profile.key}"
        imports.import_city_uploads(checked, folder, by=who, audit=register())
        use_official(folder, t("data.city_imported", city=plain(profile.name), n=len(checked.units)))


# Düsseldorf's portal and its files: said in Düsseldorf's words whatever city this session shows.
with i18n.city_words({}):
    portal_fetch()
    upload_import()
with friendly_errors():
    st.divider()
    city_import()
