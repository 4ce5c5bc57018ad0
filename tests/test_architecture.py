"""
The import rules of docs/architecture.md, checked on the source: a wrong import fails `make test`.

`geo` never imports Streamlit or the pages; inside `geo` a module imports only its own layer or the layers
below it; the pages reach the database only through `geo`. Imports under ``if TYPE_CHECKING:`` are type
annotations, not dependencies, and are not counted.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The layers of `geo`, lowest first (the same list as docs/architecture.md).
LAYERS: dict[str, tuple[str, ...]] = {
    "base": (
        "errors",
        "i18n",
        "glossary",
        "settings",
        "files",
        "report",
        "access",
        "auth",
        "assets",
        "tables",
        "charts",
        "logs",
        "topology",
    ),
    "data": (
        "city",
        "citydemo",
        "indicators",
        "sources",
        "validate",
        "corrections",
        "provenance",
        "series",
        "streets",
        "languages",
        "dataset",
        "need",
        "coverage",
        "dynamics",
        "view",
    ),
    "register": (
        "store",
        "accounts",
        "journal",
        "privacy",
        "welcome",
        "backup",
        "demo",
        "fetch",
        "programme",
        "digest",
        "impact",
        "start",
        "websession",
        "partners",
        "hsds",
        "knowledge",
        "decide",
    ),
    "output": (
        "profile",
        "nearby",
        "maps",
        "webmap",
        "snapshot",
        "brief",
        "export",
        "documents",
        "dossier",
        "minutes",
    ),
    "cli": ("__main__",),
}
#: Never imported by `geo`: the UI and its framework.
FORBIDDEN_IN_GEO = ("streamlit", "app_pages", "app")
#: Never imported by the pages: the database goes through `geo.store` and its neighbours.
FORBIDDEN_IN_PAGES = ("sqlalchemy", "alembic", "psycopg", "sqlite3")


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Line numbers of imports inside ``if TYPE_CHECKING:``."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    lines.add(inner.lineno)
    return lines


def imports(path: Path) -> set[str]:
    """Top-level names `path` imports at run time (``geo.x`` as ``geo.x``), lazy imports included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_only(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                found.add(".".join(parts[:2]) if parts[0] == "geo" else parts[0])
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] == "geo" and len(parts) == 1:
                found |= {f"geo.{a.name}" for a in node.names}
            else:
                found.add(".".join(parts[:2]) if parts[0] == "geo" else parts[0])
    return found


def _layer_of(module: str) -> int:
    for rank, names in enumerate(LAYERS.values()):
        if module in names:
            return rank
    raise AssertionError(f"geo/{module}.py is in no layer of docs/architecture.md: add it there and here")


def test_every_module_of_geo_has_a_layer() -> None:
    modules = {p.stem for p in (ROOT / "geo").glob("*.py")} - {"__init__"}
    for module in modules:
        _layer_of(module)


def test_geo_imports_only_its_own_layer_and_below_and_never_the_ui() -> None:
    wrong = []
    for path in sorted((ROOT / "geo").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        names = imports(path)
        wrong += [f"{path.relative_to(ROOT)} imports {n}" for n in names if n in FORBIDDEN_IN_GEO]
        if path.parent.name != "geo" or path.stem == "__init__":
            continue
        rank = _layer_of(path.stem)
        for name in names:
            target = name[4:] if name.startswith("geo.") else ""
            if target not in ("", "__version__", path.stem) and _layer_of(target) > rank:
                wrong.append(f"geo/{path.stem}.py ({list(LAYERS)[rank]}) imports {name} (a higher layer)")
    assert wrong == []


def test_pages_reach_the_database_only_through_geo() -> None:
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]
        for name in imports(path)
        if name in FORBIDDEN_IN_PAGES
    ]
    assert wrong == []


def test_the_document_lists_the_same_layers() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for layer, modules in LAYERS.items():
        row = re.search(rf"^\| `{layer}` \|[^|]*\|(?P<modules>[^|]+)\|", text, flags=re.MULTILINE)
        assert row is not None, f"docs/architecture.md has no row for the layer {layer}"
        listed = set(re.findall(r"`([\w_]+)`", row["modules"]))
        assert listed == set(modules), (layer, listed ^ set(modules))


def test_a_wrong_import_is_caught(tmp_path: Path) -> None:
    """The checker itself: an import of Streamlit and of a higher layer are both found."""
    bad = tmp_path / "need.py"
    bad.write_text(
        "import streamlit as st\nfrom geo import webmap\nif TYPE_CHECKING:\n    from geo import store\n"
    )
    found = imports(bad)
    assert "streamlit" in found and "geo.webmap" in found and "geo.store" not in found
    assert _layer_of("webmap") > _layer_of("need")


def test_pages_use_the_house_widgets_for_choices_and_panels() -> None:
    """
    No Streamlit multiselect outside `ui.multiselect` (which hides "Select all" / "Select N matches") and no
    bare `st.tabs` outside `ui.panels` (plain tabs jump back to the first one after a save).
    """
    for path in [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]:
        text = path.read_text(encoding="utf-8")
        if path.name == "ui.py":
            assert text.count("st.multiselect(") == 1 and text.count("st.tabs(") == 1, path
            continue
        assert "st.multiselect(" not in text, f"{path.name}: use ui.multiselect"
        assert "st.tabs(" not in text, f"{path.name}: use ui.panels"


def test_no_function_in_geo_is_longer_than_80_lines() -> None:
    """Issue 31: a function a newcomer can read on one screen; a longer one is split where it changes subject."""
    long = []
    for path in sorted((ROOT / "geo").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > 80:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines} lines)")
    assert long == [], long
