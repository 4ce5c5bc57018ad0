"""
The command line: ``python -m geo <command> ...`` (``--help`` lists them).

Whoever runs a command here is the operator (`Principal.cli`): trusted like an admin and a coordinator,
and recorded in the audit log as ``cli:<user>`` where a command writes to the register.

Exit codes: 0 usable / done, 2 the input cannot be used (a plain message on stderr), 1 an internal fault.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.core import files, i18n
from geo.core.access import Principal
from geo.core.errors import SozialraumError

#: `geo.analysis.coverage.DISTANCE_MEASURES` (written out: the command line does not import geopandas to parse).
DISTANCE_MEASURES = ("point", "edge")

if TYPE_CHECKING:
    from geo.analysis.view import MapView
    from geo.data.dataset import Dataset
    from geo.register.store import Register


def _print_report(report_dict: dict[str, Any], lang: str) -> None:
    counts = report_dict["counts"]
    print(
        i18n.translate(
            "cli.counts",
            lang,
            **{k: counts.get(k, 0) for k in ("sozialraeume", "welcome_points", "indicator_rows")},
        )
    )
    for level in ("errors", "warnings"):
        for item in report_dict[level]:
            print(f"{i18n.translate(f'cli.{level}', lang)} [{item['code']}] {item['message']}")


def _cmd_demo(args: argparse.Namespace) -> int:
    from geo.data import (  # noqa: PLC0415 - each command imports only what it needs
        city,
        citydemo,
        demo_dataset,
    )

    if (
        args.profile and args.profile != city.DEFAULT_PROFILE
    ):  # another city: made-up files, its profile's shape
        folder = citydemo.write(city.load_profile(args.profile), args.out, seed=args.seed).folder
    else:
        folder = demo_dataset.write(args.out, seed=args.seed)
    print(i18n.translate("cli.demo_written", args.lang, folder=str(folder)))
    return 0


def _json_failure(code: str, message: str) -> None:
    """The one JSON object `validate --json` prints when the files cannot be checked at all."""
    print(
        json.dumps(
            {
                "counts": {"sozialraeume": 0, "welcome_points": 0, "indicator_rows": 0},
                "usable": False,
                "errors": [{"code": code, "message": message, "ids": []}],
                "warnings": [],
                "error": {"code": code, "message": message},
            },
            ensure_ascii=False,
        )
    )


def _cmd_validate(args: argparse.Namespace) -> int:
    from geo.data import provenance, validate  # noqa: PLC0415

    try:
        checked = validate.check_files(
            args.sozialraeume,
            indicators=args.indicators,
            welcome_points=args.welcome_points,
            sheet=args.sheet,
        )
    except SozialraumError as exc:
        if args.json:
            _json_failure("unreadable", exc.message(args.lang))
        print(exc.message(args.lang), file=sys.stderr)
        return 2
    except Exception as exc:  # the JSON contract holds even for a fault of ours: one object, then exit 1
        if not args.json or os.environ.get("SOZIALRAUM_DEBUG"):
            raise
        _json_failure("internal", i18n.translate("cli.internal", args.lang, kind=type(exc).__name__))
        print(i18n.translate("cli.internal", args.lang, kind=type(exc).__name__), file=sys.stderr)
        return 1
    report = checked.report.as_dict(args.lang)
    given = {
        "geometry": args.sozialraeume,
        "indicators": args.indicators,
        "welcome_points": args.welcome_points,
    }
    report["sources"] = [provenance.describe(kind, path).as_dict() for kind, path in given.items() if path]
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        _print_report(report, args.lang)
    if not checked.report.usable:
        print(i18n.translate("cli.unusable", args.lang), file=sys.stderr)
        return 2
    return 0


def _cmd_fetch(args: argparse.Namespace) -> int:
    from geo.data import imports  # noqa: PLC0415

    def progress(name: str, done: int, total: int | None) -> None:
        if total:
            print(f"\r{name}: {done * 100 // total} %", end="", file=sys.stderr)

    report = imports.fetch_official(args.out, by=Principal.cli(), base_url=args.base_url, progress=progress)
    print(file=sys.stderr)
    _print_report(report.as_dict(args.lang), args.lang)
    print(i18n.translate("cli.dataset_written", args.lang, folder=str(args.out)))
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from geo.data import imports  # noqa: PLC0415

    if args.profile:  # any city: its files as published, recognised by the profile
        return _import_city(args)
    if args.sozialraeume is None:
        raise SozialraumError("cli.import_needs_files")
    report = imports.import_files(
        args.out,
        by=Principal.cli(),
        sozialraeume=args.sozialraeume,
        indicators=args.indicators,
        welcome_points=args.welcome_points,
        stadtteile=args.stadtteile,
        nationalities=args.nationalities,
        streets=args.streets,
        series=args.series or (),
        sheet=args.sheet,
    )
    _print_report(report.as_dict(args.lang), args.lang)
    print(i18n.translate("cli.dataset_written", args.lang, folder=str(args.out)))
    return 0


def _files_in(paths: list[Path]) -> list[Path]:
    """The files given, and those inside the folders given (with their subfolders), in name order."""
    return [
        f for path in paths for f in (sorted(path.rglob("*")) if path.is_dir() else [path]) if f.is_file()
    ]


def _import_city(args: argparse.Namespace) -> int:
    from geo.data import city, dataset  # noqa: PLC0415

    profile = city.load_profile(args.profile)
    i18n.use_words(profile.words)
    paths = _files_in(args.files)
    if not paths:
        raise SozialraumError("cli.import_needs_files")
    checked = city.check(profile, paths)
    for line in city.check_lines(checked, args.lang):
        print(line)
    dataset.import_city(checked, args.out, by=Principal.cli())
    print(i18n.translate("cli.dataset_written", args.lang, folder=str(args.out)))
    return 0


def _cmd_map(args: argparse.Namespace) -> int:
    from geo.data import dataset  # noqa: PLC0415
    from geo.output import maps, webmap  # noqa: PLC0415

    data = dataset.load_dataset(args.data_dir)
    i18n.use_words(data.words)
    indicator = args.indicator or maps.default_indicator(data.indicator_ids(), data.catalogue)
    base = webmap.base_payload(data, maps.map_geometry(data), lang=args.lang)
    styling = maps.style_indicator(data, indicator, lang=args.lang)  # type: ignore[arg-type]
    lines = webmap.lines_for(data, "indikator", indicator_id=indicator, lang=args.lang)
    style = webmap.style_payload(base, styling, lines, data, lang=args.lang, tiles=args.tiles)
    title = f"Sozialraum-Karte – {data.meta.title}"
    files.write_atomic(args.out, webmap.standalone_html(base, style, title=title, lang=args.lang))
    print(i18n.translate("cli.map_written", args.lang, file=str(args.out)))
    return 0


def _cmd_gaps(args: argparse.Namespace) -> int:
    from geo.analysis import coverage, need  # noqa: PLC0415

    data, register = _dataset_and_register(args)
    result = need.need_index(data.spaces, need.default_components(data.indicator_ids(), data.catalogue))
    assignments = register.active_assignments()
    table = coverage.coverage_table(
        data.spaces, data.welcome_points, result.score, result.need_class, assignments, measure=args.distance
    )
    found = coverage.gaps(table, min_class=args.min_class, beyond_m=args.beyond_m)
    columns = coverage.GAP_COLUMNS
    if args.json:
        rows = found[columns].round({"score": 1}).to_dict("records")
        print(
            json.dumps(
                {
                    "min_class": args.min_class,
                    "distance_measure": args.distance,
                    "count": len(rows),
                    "gaps": rows,
                    "demo": data.meta.demo,
                    "sources": [layer.as_dict() for layer in data.meta.layer_records()],
                },
                ensure_ascii=False,
                default=float,
            )
        )
    else:
        print(found[columns].to_string(index=False))
    return 0


#: ``--view`` names for the map views (`geo.analysis.view.MODES`).
VIEW_NAMES = {
    "indicator": "indikator",
    "need": "index",
    "type": "typ",
    "change": "wandel",
    "coverage": "abdeckung",
}


def _export_view(args: argparse.Namespace, data: Dataset) -> MapView:
    """The view to export: the one in ``--link`` (as a screen shows it), or the one ``--view`` names."""
    from geo.analysis import dynamics, view  # noqa: PLC0415

    if args.link:
        shown = view.from_params(
            view.from_link(args.link),
            indicators=data.indicator_ids(),
            sozialraum_ids=set(data.spaces["sozialraum_id"]),
            welcome_point_ids=set(data.welcome_points["welcome_point_id"]),
            changing=dynamics.indicators(data.series),
            bezirk_ids=view.bezirk_ids(data.spaces),
        )
    else:
        shown = view.MapView(mode=VIEW_NAMES[args.view or "indicator"], indicator=args.indicator)  # type: ignore[arg-type]
    changes = {"min_class": args.min_class, "measure": args.distance}
    return replace(shown, **{name: value for name, value in changes.items() if value is not None})


def _cmd_export(args: argparse.Namespace) -> int:
    from geo.output import export  # noqa: PLC0415
    from geo.register import journal  # noqa: PLC0415

    data, register = _dataset_and_register(args)
    view = _export_view(args, data)
    if args.format in ("png", "pdf") and args.sozialraum is None:
        args.sozialraum = view.selected  # the Sozialraum chosen on the screen is marked, as in the app
    content = export.render(
        data,
        view,
        args.format,
        assignments=register.active_assignments(),
        preset=args.preset,
        lang=args.lang,
        orientation=args.orientation,
        sozialraum_id=args.sozialraum,
        # a file for meetings: only the concerns marked public
        open_concerns=journal.open_concerns(register, args.sozialraum, by=Principal.public())
        if args.sozialraum
        else None,
    )
    files.write_atomic(args.out, content)
    print(i18n.translate("cli.export_written", args.lang, file=str(args.out), kb=round(len(content) / 1024)))
    return 0


def _cmd_dossier(args: argparse.Namespace) -> int:
    from geo.output import dossier  # noqa: PLC0415

    data, register = _dataset_and_register(args)
    make = dossier.html_page if args.out.suffix.lower() in {".html", ".htm"} else dossier.pdf
    content = make(data, register, args.sozialraum, by=Principal.cli(), public=args.public, lang=args.lang)
    files.write_atomic(args.out, content)
    if not args.public:  # the tandem's variant holds partner contacts: who made it is kept
        register.record(Principal.cli(), "dossier.export", target="sozialraum", target_id=args.sozialraum)
    print(i18n.translate("cli.export_written", args.lang, file=str(args.out), kb=round(len(content) / 1024)))
    return 0


def _cmd_minutes(args: argparse.Namespace) -> int:
    from geo.output import minutes  # noqa: PLC0415

    data, register = _dataset_and_register(args)
    try:
        content = minutes.pdf(
            register,
            by=Principal.cli(),
            held_on=args.meeting,
            public=args.public,
            lang=args.lang,
            demo=data.meta.demo,
        )
        files.write_atomic(args.out, content)
        if not args.public:  # the group's copy names people: who made it is kept
            register.record(Principal.cli(), "minutes.export", target="meeting")
    finally:
        register.close()  # its connections closed, also when the command is refused
    print(i18n.translate("cli.export_written", args.lang, file=str(args.out), kb=round(len(content) / 1024)))
    return 0


def _cmd_partners(args: argparse.Namespace) -> int:
    from geo.register import hsds  # noqa: PLC0415

    data, register = _dataset_and_register(args)
    by = Principal.cli()
    if args.partners_command == "export":
        counts = hsds.export_package(
            register, args.out, by=by, source_note=data.meta.title, demo=data.meta.demo
        )
        print(
            i18n.translate(
                "cli.partners_exported", args.lang, folder=str(args.out), n=counts["organizations"]
            )
        )
        return 0
    if args.registry:
        result = hsds.import_registry(register, args.source, by=by, spaces=data.spaces)
    else:
        result = hsds.import_package(register, args.source, by=by, spaces=data.spaces)
    print(i18n.translate("cli.partners_imported", args.lang, created=result.created, updated=result.updated))
    if result.outside:
        print(
            i18n.translate(
                "cli.partners_outside", args.lang, n=len(result.outside), names="; ".join(result.outside)
            )
        )
    if result.without_area:
        print(
            i18n.translate(
                "cli.partners_without_area",
                args.lang,
                n=len(result.without_area),
                names="; ".join(result.without_area),
            )
        )
    for name, key in result.problems:
        print(f"{name}: {i18n.translate(key, args.lang)}", file=sys.stderr)
    return 0 if not result.problems else 2


def _day(text: str) -> date:
    """An ISO date from the command line (argparse shows its own message for a wrong one)."""
    return date.fromisoformat(text)


def _cmd_certificate(args: argparse.Namespace) -> int:
    from geo.output import programme_pdfs  # noqa: PLC0415
    from geo.register import programme  # noqa: PLC0415

    register = _register(args)
    by = Principal.cli()
    journey = programme.journey(register, args.connector, by=by)
    frame = programme.hours(register, args.connector, by=by, start=args.start, end=args.end)
    content = programme_pdfs.certificate(
        journey, frame, args.start, args.end, lang=args.lang, demo=register.demo
    )
    files.write_atomic(args.out, content)
    register.record(by, "certificate.export", target="connector", target_id=args.connector)
    total = float(frame["hours"].sum()) if not frame.empty else 0.0
    print(
        i18n.translate(
            "cli.certificate_written",
            args.lang,
            file=str(args.out),
            hours=i18n.format_number(total, args.lang, decimals=1),
            n=len(frame),
        )
    )
    return 0


def _cmd_profile_check(args: argparse.Namespace) -> int:
    from geo.data import city  # noqa: PLC0415

    profile = city.load_profile(args.profile)
    i18n.use_words(profile.words)
    levels = " › ".join(level.name(args.lang) for level in (profile.unit, *profile.parents))
    print(
        i18n.translate(
            "cli.profile_valid",
            args.lang,
            city=profile.name,
            levels=levels,
            n=len(profile.indicators),
            layers=len(profile.layers()),
        )
    )
    for lang in i18n.LANGUAGES:  # the app's sentences: which of the catalogue's level words lack a city word
        if missing := city.words_missing(profile, lang):
            print("! " + i18n.translate("cli.profile_words_missing", args.lang, language=lang, words=missing))
    if not args.files:
        return 0
    data = city.check(profile, _files_in(args.files))
    for line in city.check_lines(data, args.lang):
        print(line)
    return 0 if data.report.usable else 2


def _cmd_impact(args: argparse.Namespace) -> int:
    from geo.output import programme_pdfs  # noqa: PLC0415
    from geo.register import decide, impact  # noqa: PLC0415

    start, end = impact.quarter(args.quarter)
    data, register = _dataset_and_register(args)
    by = Principal.cli()
    ev = impact.events(register, by=by)
    names = {t.id: t.name for t in register.tandems()}
    result = impact.impact(
        ev, impact.places(data), start, end, tandem_names=names, covered=impact.covered_on(register, end)
    )
    quarters = impact.by_quarter(ev, last=end)
    said = decide.said_counts(register, start, end, by=by)
    content = programme_pdfs.impact_report(
        result, quarters, data, label=args.quarter.upper(), lang=args.lang, said=said
    )
    files.write_atomic(args.out, content)
    print(i18n.translate("cli.export_written", args.lang, file=str(args.out), kb=round(len(content) / 1024)))
    return 0


def _cmd_digest(args: argparse.Namespace) -> int:
    from geo.register import digest  # noqa: PLC0415

    register = _register(args)
    by = Principal.cli()
    if not args.send:
        for view in register.tandems():
            if view.active_on(date.today()):
                subject, body = digest.render(digest.digest(register, view.id, by=by), args.lang)
                print(f"== {subject}\n{body}")
        return 0

    def agenda(language: str) -> bytes:  # the group's agenda for the next meeting, attached to digests
        from geo.output import programme_pdfs  # noqa: PLC0415
        from geo.register import impact  # noqa: PLC0415

        return programme_pdfs.group_agenda(
            impact.group_agenda(register, by=by), lang=language, demo=register.demo
        )

    sent = digest.send_digests(register, by=by, lang=args.lang, agenda=agenda)
    notices = digest.mail_notices(register, by=by, lang=args.lang)
    print(
        i18n.translate(
            "cli.digest_sent",
            args.lang,
            n=sent.messages,
            tandems=sent.tandems,
            skipped=sent.skipped,
            notices=notices,
        )
    )
    return 0


def _register(args: argparse.Namespace, data: Dataset | None = None) -> Register:
    """
    The register a command works on, picked as the app picks it.

    ``--db`` names it. Otherwise the demo dataset (`data`) has the demo register, seeded as the app seeds it
    on first use (`geo.register.demo_register.seeded_register`); ``--demo`` opens the demo register as it is; anything else
    works on the real register (``DATABASE_URL`` or ``<user folder>/register.sqlite``).
    """
    from geo.register import demo_register, store  # noqa: PLC0415

    if getattr(args, "db", None):
        return store.Register(args.db)
    if data is not None and data.meta.demo:
        return demo_register.seeded_register(sorted(data.spaces["sozialraum_id"]), data.spaces)
    if getattr(args, "demo", False):
        return store.Register(store.demo_database_url(), demo=True)
    return store.Register()


def _dataset_and_register(args: argparse.Namespace) -> tuple[Dataset, Register]:
    """The dataset of ``--data-dir`` as of today (Welcome Point changes applied) and its register."""
    from geo.data import dataset  # noqa: PLC0415
    from geo.register import welcome  # noqa: PLC0415

    data = dataset.load_dataset(args.data_dir)
    i18n.use_words(data.words)
    register = _register(args, data)
    return welcome.current(data, welcome.changes(register), date.today()), register


def _print_code(code: str, lang: str) -> None:
    from geo.register import accounts  # noqa: PLC0415

    hours = int(accounts.LoginPolicy.from_env().code_valid.total_seconds() // 3600)
    print(i18n.translate("cli.user_code", lang, code=code, hours=hours))


def _cmd_user(args: argparse.Namespace) -> int:  # noqa: PLR0911 - one return per subcommand
    from geo.register import accounts  # noqa: PLC0415

    register = _register(args)
    by = Principal.cli()
    if args.user_command == "add":
        account_id, code = accounts.create_account(
            register,
            by=by,
            email=args.email,
            roles=args.role,
            display_name=args.name or "",
            connector_id=args.connector,
        )
        print(i18n.translate("cli.user_added", args.lang, email=args.email.strip().lower(), id=account_id))
        _print_code(code, args.lang)
        return 0
    if args.user_command == "setup-code":
        setup = accounts.install_code(register, renew=True)
        if setup is None:
            print(i18n.translate("cli.setup_code_none", args.lang), file=sys.stderr)
            return 2
        print(i18n.translate("cli.setup_code", args.lang, code=setup))
        return 0
    views = {a.email: a for a in accounts.accounts(register, by=by)}
    if args.user_command == "list":
        for a in views.values():
            state = "disabled" if a.disabled else "active"
            connector = f" connector #{a.connector_id}" if a.connector_id else ""
            print(f"{a.id}\t{a.email}\t{','.join(sorted(a.roles)) or '-'}\t{state}{connector}")
        return 0
    email = args.email.strip().lower()
    if email not in views:
        print(i18n.translate("cli.user_unknown", args.lang, email=email), file=sys.stderr)
        return 2
    account = views[email]
    if args.user_command == "code":
        code = accounts.new_setup_code(register, account.id, by=by)
        _print_code(code, args.lang)
        return 0
    if args.user_command in {"disable", "enable"}:
        accounts.update_account(
            register, account.id, by=by, version=account.version, disabled=args.user_command == "disable"
        )
    else:  # roles
        accounts.update_account(register, account.id, by=by, version=account.version, roles=args.role)
    print(i18n.translate("cli.user_changed", args.lang, email=email))
    return 0


def _cmd_retention(args: argparse.Namespace) -> int:
    from geo.register import privacy  # noqa: PLC0415

    register = _register(args)
    by = Principal.cli()
    due = privacy.retention_due(register, by=by)
    for c in due:
        print(i18n.translate("cli.retention_due", args.lang, id=c.connector_id, left=c.left_on.isoformat()))
    if not args.apply:
        print(i18n.translate("cli.retention_dry", args.lang, n=len(due), days=privacy.retention_days()))
        return 0
    erased = privacy.apply_retention(register, by=by)
    print(i18n.translate("cli.retention_done", args.lang, n=len(erased)))
    return 0


def _cmd_erase(args: argparse.Namespace) -> int:
    from geo.register import privacy  # noqa: PLC0415

    privacy.erase_connector(_register(args), args.connector, by=Principal.cli())
    print(i18n.translate("cli.erased", args.lang, id=args.connector))
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    from geo.core import tables  # noqa: PLC0415
    from geo.register import accounts  # noqa: PLC0415

    content = accounts.audit_csv(_register(args), by=Principal.cli(), csv=tables.csv_bytes)
    files.write_atomic(args.out, content)
    print(i18n.translate("cli.audit_written", args.lang, file=str(args.out)))
    return 0


def _cmd_backup(args: argparse.Namespace) -> int:
    from geo.core.settings import get_settings  # noqa: PLC0415
    from geo.register import backup  # noqa: PLC0415

    register = _register(args)
    shown = "cli.backup_of_demo" if register.demo else "cli.backup_of_real"
    print(i18n.translate(shown, args.lang, url=register.shown_url))
    datasets = args.datasets
    if datasets is None and not register.demo:  # the demo's dataset is written again by `geo demo`
        datasets = get_settings().user_dir / "official"
    try:
        manifest = backup.backup(
            register, args.out, datasets=datasets, by=Principal.cli(), allow_empty=args.allow_empty
        )
    finally:
        register.close()  # a cron job's connections closed, also when the register is refused
    rows = sum(t["rows"] for t in manifest["tables"].values())
    print(
        i18n.translate(
            "cli.backup_written",
            args.lang,
            file=str(args.out),
            rows=i18n.format_number(rows, args.lang, decimals=0),
            files=i18n.format_number(len(manifest["datasets"]), args.lang, decimals=0),
        )
    )
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from geo.core.settings import get_settings  # noqa: PLC0415
    from geo.register import backup, store  # noqa: PLC0415

    datasets = args.datasets if args.datasets is not None else get_settings().user_dir / "official"
    manifest = backup.restore(
        args.db or store.database_url(),
        args.file,
        datasets=datasets,
        replace=args.replace,
        by=Principal.cli(),
    )
    done = manifest["restored"]
    print(
        i18n.translate(
            "cli.restored",
            args.lang,
            file=str(args.file),
            rows=done["rows"],
            files=done["dataset_files"],
            sessions=done["sessions_ended"],
            created=manifest["created"],
        )
    )
    if not done["datasets_checked"]:
        print(i18n.translate("cli.restored_unchecked", args.lang), file=sys.stderr)
    return 0


DB_HELP = "SQLAlchemy URL of the register (default: DATABASE_URL or <user folder>/register.sqlite)"
DATA_DIR_HELP = (
    "the dataset folder (default: %(default)s); the demo dataset works on the demo register "
    "(<user folder>/demo-register.sqlite, seeded as the app seeds it), any other on the real one"
)
DATASET_DB_HELP = "SQLAlchemy URL of the register (default: the register of the dataset, see --data-dir)"


def _register_options(cmd: argparse.ArgumentParser, *, demo: str) -> None:
    """``--db URL`` or ``--demo`` (at most one): which register a command without a dataset works on."""
    which = cmd.add_mutually_exclusive_group()
    which.add_argument("--db", help=DB_HELP)
    which.add_argument("--demo", action="store_true", help=demo)


def _data_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``demo``, ``validate``, ``fetch``, ``profile`` and ``import``: datasets in and out."""
    from geo.core.settings import PORTAL_BASE_URL, get_settings  # noqa: PLC0415

    demo = sub.add_parser("demo", help="write the synthetic demo dataset")
    demo.add_argument("--out", type=Path, required=True)
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument(
        "--profile",
        help="a city profile (berlin or a .toml file): a made-up demo shaped like that city's data",
    )
    demo.set_defaults(func=_cmd_demo)

    val = sub.add_parser("validate", help="check files and print the validation report")
    val.add_argument("--sozialraeume", type=Path, required=True)
    val.add_argument("--indicators", type=Path)
    val.add_argument("--welcome-points", type=Path)
    val.add_argument("--sheet")
    val.add_argument("--json", action="store_true", help="one JSON object on stdout")
    val.set_defaults(func=_cmd_validate)

    fetch = sub.add_parser("fetch", help="download the official Sozialraum and Stadtteil geometry")
    fetch.add_argument("--out", type=Path, default=get_settings().user_dir / "official")
    fetch.add_argument("--base-url", default=PORTAL_BASE_URL, help="a mirror of the open-data portal")
    fetch.set_defaults(func=_cmd_fetch)

    prof = sub.add_parser(
        "profile", help="city profiles: check one, and which layer each of a city's files is"
    )
    prof_sub = prof.add_subparsers(dest="profile_command", required=True)
    pcheck = prof_sub.add_parser(
        "check",
        help="validate a profile (a bundled city or a .toml file); with files: which layer each is, what joins",
    )
    pcheck.add_argument("profile", help="a bundled city (duesseldorf, berlin) or the path of a profile file")
    pcheck.add_argument(
        "files", type=Path, nargs="*", help="the city's files as it publishes them, any order"
    )
    pcheck.set_defaults(func=_cmd_profile_check)

    imp = sub.add_parser(
        "import",
        help="import official files into a dataset folder: Düsseldorf's by their kind, any city's with --profile",
    )
    imp.add_argument(
        "--profile",
        help="a city profile (duesseldorf, berlin or a .toml file): then give the city's files as they are",
    )
    imp.add_argument(
        "files", type=Path, nargs="*", help="with --profile: the city's files or folders, any order"
    )
    imp.add_argument("--sozialraeume", type=Path)
    imp.add_argument("--indicators", type=Path)
    imp.add_argument("--welcome-points", type=Path)
    imp.add_argument("--stadtteile", type=Path)
    imp.add_argument(
        "--nationalities", type=Path, help="residents by nationality per Stadtteil (for tandems' languages)"
    )
    imp.add_argument(
        "--streets", type=Path, help="street directory (table with name and coordinates, or street lines)"
    )
    imp.add_argument(
        "--series",
        type=Path,
        action="append",
        help="a time-series table (long format, or the city's own tables); may be given several times",
    )
    imp.add_argument("--sheet")
    imp.add_argument("--out", type=Path, required=True)
    imp.set_defaults(func=_cmd_import)


def _map_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``map``, ``gaps`` and ``export``: what the maps show, as files."""
    from geo.core.settings import get_settings  # noqa: PLC0415

    mp = sub.add_parser("map", help="write the app's map as one self-contained HTML file")
    mp.add_argument("--data-dir", type=Path, default=get_settings().data_dir)
    mp.add_argument("--indicator")
    mp.add_argument("--tiles", action="store_true", help="OpenStreetMap tiles (need network access)")
    mp.add_argument("--out", type=Path, required=True)
    mp.set_defaults(func=_cmd_map)

    gaps = sub.add_parser("gaps", help="high-need Sozialräume without a tandem, most urgent first")
    gaps.add_argument("--data-dir", type=Path, default=get_settings().data_dir, help=DATA_DIR_HELP)
    gaps.add_argument("--db", help=DATASET_DB_HELP)
    gaps.add_argument(
        "--min-class",
        type=int,
        choices=[1, 2, 3, 4, 5],
        default=2,
        help="need classes 1 (very high) to N count as high need",
    )
    gaps.add_argument("--beyond-m", type=float, help="only gaps farther than this from every Welcome Point")
    gaps.add_argument(
        "--distance",
        choices=DISTANCE_MEASURES,
        default="point",
        help="distance_m from a point inside each Sozialraum (point) or from its nearest edge (edge)",
    )
    gaps.add_argument("--json", action="store_true")
    gaps.set_defaults(func=_cmd_gaps)

    ex = sub.add_parser("export", help="a map view as HTML, PNG, PDF, meeting brief or fact sheet")
    ex.add_argument("--data-dir", type=Path, default=get_settings().data_dir, help=DATA_DIR_HELP)
    which = ex.add_mutually_exclusive_group()
    which.add_argument("--view", choices=list(VIEW_NAMES), help="which map (default: indicator)")
    which.add_argument(
        "--link",
        help='the view of a screen: its address or query string, e.g. "...?ansicht=index&norm=percentile"; '
        "every setting of the link is kept, manual class limits too",
    )
    ex.add_argument(
        "--indicator", help="indicator id for --view indicator or change (default: the catalogue's default)"
    )
    ex.add_argument("--format", choices=["html", "png", "pdf", "brief", "factsheet"], required=True)
    ex.add_argument("--preset", choices=["a4", "16:9"], default="a4", help="page of PNG and PDF")
    ex.add_argument("--min-class", type=int, choices=[1, 2, 3, 4, 5], help="high need: classes 1 to this (2)")
    ex.add_argument("--distance", choices=DISTANCE_MEASURES, help="how the brief measures distances (point)")
    ex.add_argument(
        "--orientation",
        choices=["portrait", "landscape"],
        default="portrait",
        help="page of the meeting brief (--format brief): A4 upright, or A4 landscape for a projector",
    )
    ex.add_argument("--sozialraum", help="Sozialraum ID of a fact sheet")
    ex.add_argument("--db", help=f"{DATASET_DB_HELP}; tandem names only are used")
    ex.add_argument("--out", type=Path, required=True)
    ex.set_defaults(func=_cmd_export)


def _register_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``user``, ``retention``, ``erase``, ``audit``, ``backup``, ``restore``: the register."""
    db_help = DB_HELP
    user = sub.add_parser("user", help="accounts: add, list, new one-time code, roles, disable, enable")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add = user_sub.add_parser("add", help="create an account and print its one-time code")
    add.add_argument("--email", required=True)
    add.add_argument("--role", required=True, help="connector, coordinator, admin (comma-separated)")
    add.add_argument("--name")
    add.add_argument("--connector", type=int, help="ID of the connector record (for connector accounts)")
    user_sub.add_parser("list", help="all accounts")
    user_sub.add_parser(
        "setup-code", help="a new setup code for the first admin (a register without accounts)"
    )
    for name, text in (("code", "a new one-time code"), ("disable", "lock an account"), ("enable", "unlock")):
        cmd = user_sub.add_parser(name, help=text)
        cmd.add_argument("--email", required=True)
    roles = user_sub.add_parser("roles", help="set an account's roles")
    roles.add_argument("--email", required=True)
    roles.add_argument("--role", required=True)
    for cmd in user_sub.choices.values():
        cmd.add_argument("--db", help=db_help)
    user.set_defaults(func=_cmd_user)

    ret = sub.add_parser("retention", help="erase personal data of connectors who left long ago")
    ret.add_argument("--apply", action="store_true", help="erase (without it: only list what would go)")
    ret.add_argument("--db", help=db_help)
    ret.set_defaults(func=_cmd_retention)

    erase = sub.add_parser("erase", help="erase one connector's personal data")
    erase.add_argument("--connector", type=int, required=True)
    erase.add_argument("--db", help=db_help)
    erase.set_defaults(func=_cmd_erase)

    aud = sub.add_parser("audit", help="write the audit log as CSV")
    aud.add_argument("--out", type=Path, required=True)
    _register_options(aud, demo="the audit log of the demo register")
    aud.set_defaults(func=_cmd_audit)

    datasets_help = "the imported datasets folder (default: <user folder>/official)"
    bak = sub.add_parser(
        "backup",
        help="back up the register, accounts, journal and imported datasets",
        description="Back up one register: the real one (default, or --db URL) or, with --demo, the demo "
        "register. It never follows --data-dir or the default dataset folder, so a nightly backup cannot "
        "switch to the demo. The register backed up is named first; an empty one (nothing but its audit "
        "log) is refused with exit code 2 unless --allow-empty is given.",
    )
    bak.add_argument("--out", type=Path, required=True, help="the backup file (.zip)")
    bak.add_argument("--datasets", type=Path, help=f"{datasets_help}; with --demo: none unless given")
    _register_options(
        bak, demo="the demo register (<user folder>/demo-register.sqlite) instead of the real one"
    )
    bak.add_argument("--allow-empty", action="store_true", help="also back up a register that holds nothing")
    bak.set_defaults(func=_cmd_backup)

    res = sub.add_parser("restore", help="restore a backup into an empty register (or --replace)")
    res.add_argument("file", type=Path, help="a file written by `backup`")
    res.add_argument("--replace", action="store_true", help="delete what the register holds first")
    res.add_argument("--datasets", type=Path, help=datasets_help)
    res.add_argument("--db", help=db_help)
    res.set_defaults(func=_cmd_restore)


def _document_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``certificate``, ``dossier``, ``minutes``, ``partners``, ``impact``, ``digest``."""
    from geo.core.settings import get_settings  # noqa: PLC0415

    cert = sub.add_parser("certificate", help="a connector's certificate of volunteering (PDF) for a period")
    cert.add_argument("--connector", type=int, required=True, help="the connector's ID")
    cert.add_argument("--from", dest="start", type=_day, required=True, help="first day, YYYY-MM-DD")
    cert.add_argument("--to", dest="end", type=_day, required=True, help="last day, YYYY-MM-DD")
    cert.add_argument("--out", type=Path, required=True)
    _register_options(cert, demo="a connector of the demo register")
    cert.set_defaults(func=_cmd_certificate)

    dos = sub.add_parser("dossier", help="the Sozialraum-Mappe for a tandem taking over (PDF, or .html)")
    dos.add_argument("--sozialraum", required=True, help="the Sozialraum's ID")
    dos.add_argument("--public", action="store_true", help="the public variant: no names, no contacts")
    dos.add_argument("--out", type=Path, required=True, help="FILE.pdf or FILE.html")
    dos.add_argument("--data-dir", type=Path, default=get_settings().data_dir, help=DATA_DIR_HELP)
    dos.add_argument("--db", help=DATASET_DB_HELP)
    dos.set_defaults(func=_cmd_dossier)

    mins = sub.add_parser("minutes", help="the minutes of a monthly meeting of the connectors (PDF)")
    mins.add_argument("--meeting", type=_day, help="the meeting's day (YYYY-MM-DD); default: the latest")
    mins.add_argument(
        "--public", action="store_true", help="the public copy: no names, public decisions only"
    )
    mins.add_argument("--out", type=Path, required=True, help="FILE.pdf")
    mins.add_argument("--data-dir", type=Path, default=get_settings().data_dir, help=DATA_DIR_HELP)
    mins.add_argument("--db", help=DATASET_DB_HELP)
    mins.set_defaults(func=_cmd_minutes)

    par = sub.add_parser("partners", help="the partner register as HSDS 3.0 tabular data (export, import)")
    par_sub = par.add_subparsers(dest="partners_command", required=True)
    par_ex = par_sub.add_parser("export", help="write an HSDS data package (CSV files) into a folder")
    par_ex.add_argument("--format", choices=["hsds"], default="hsds")
    par_ex.add_argument("--out", type=Path, required=True, help="the folder")
    par_im = par_sub.add_parser("import", help="read an HSDS data package folder (or --registry FILE)")
    par_im.add_argument("source", type=Path, help="the package's folder, or the registry CSV with --registry")
    par_im.add_argument(
        "--registry", action="store_true", help="the city's registry of integration services (CSV)"
    )
    for cmd in (par_ex, par_im):
        cmd.add_argument("--data-dir", type=Path, default=get_settings().data_dir, help=DATA_DIR_HELP)
        cmd.add_argument("--db", help=DATASET_DB_HELP)
        cmd.set_defaults(func=_cmd_partners)

    imp_q = sub.add_parser("impact", help="the one-page quarterly report (PDF, no personal data)")
    imp_q.add_argument("--quarter", required=True, help="YYYY-Qn, e.g. 2026-Q3")
    imp_q.add_argument("--data-dir", type=Path, default=get_settings().data_dir, help=DATA_DIR_HELP)
    imp_q.add_argument("--db", help=DATASET_DB_HELP)
    imp_q.add_argument("--out", type=Path, required=True)
    imp_q.set_defaults(func=_cmd_impact)

    dig = sub.add_parser("digest", help="the weekly digest per tandem: print it, or --send it by e-mail")
    dig.add_argument(
        "--send", action="store_true", help="mail it (SOZIALRAUM_SMTP_HOST etc.) with pending notices"
    )
    dig.add_argument("--db", help=DB_HELP)
    dig.set_defaults(func=_cmd_digest)


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m geo``."""
    p = argparse.ArgumentParser(prog="python -m geo", description="Sozialraum-Karte: data tools")
    p.add_argument("--lang", choices=sorted(i18n.LANGUAGES), default=i18n.DEFAULT_LANGUAGE)
    sub = p.add_subparsers(dest="command", required=True)
    for add in (_data_commands, _map_commands, _register_commands, _document_commands):
        add(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run a command; user errors exit 2 with one plain sentence, internal faults exit 1."""
    args = parser().parse_args(argv)
    if os.environ.get("SOZIALRAUM_LOG_LEVEL"):  # the app log on stderr only when asked (cron, containers)
        from geo.core import logs  # noqa: PLC0415

        logs.configure()
    as_json = bool(getattr(args, "json", False))
    try:
        return int(args.func(args))
    except SozialraumError as exc:
        if as_json:  # the contract of --json: one object on stdout, whatever happened
            _json_error("unusable", exc.message(args.lang))
        print(exc.message(args.lang), file=sys.stderr)
        return 2
    except OSError as exc:  # a full disk, a read-only or missing folder
        message = i18n.translate("error.os", args.lang, reason=files.reason(exc))
        if as_json:
            _json_error("os", message)
        print(message, file=sys.stderr)
        return 2
    except Exception as exc:
        if os.environ.get("SOZIALRAUM_DEBUG"):
            raise
        message = i18n.translate("cli.internal", args.lang, kind=type(exc).__name__)
        if as_json:
            _json_error("internal", message)
        print(message, file=sys.stderr)
        return 1


def _json_error(code: str, message: str) -> None:
    """The one JSON object a ``--json`` command prints when it fails."""
    print(json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
