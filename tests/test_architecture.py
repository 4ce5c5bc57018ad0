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

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: The packages of `geo`, lowest layer first (docs/architecture.md has a row for each): a module's layer is its
#: package, and it imports only its own package and the ones before it. `geo/__main__.py` (the command line)
#: stands above them all.
LAYERS: tuple[str, ...] = ("core", "data", "analysis", "register", "output")
GEO = ROOT / "geo"


def package_of(path: Path) -> str:
    """The package a module of `geo` lies in (``cli`` for the command line), from its folder."""
    parts = path.relative_to(GEO).parts
    if parts == ("__main__.py",):
        return "cli"
    if len(parts) < 2 or parts[0] not in LAYERS:
        raise AssertionError(f"{path.relative_to(ROOT)} lies in no package of docs/architecture.md")
    return parts[0]


#: Never imported by `geo`: the UI and its framework.
FORBIDDEN_IN_GEO = ("streamlit", "app_pages", "app")
#: Never imported by the pages: the database goes through `geo.register.store` and its neighbours.
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
    """Top-level names `path` imports at run time, lazy imports included; `geo`'s as ``geo.<package>``."""
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


def _layer_of(package: str) -> int:
    if package == "cli":
        return len(LAYERS)
    if package not in LAYERS:
        raise AssertionError(f"geo.{package} is no package of docs/architecture.md: add it there and here")
    return LAYERS.index(package)


def wrong_imports(path: Path, package: str) -> list[str]:
    """What a module of `package` must not import: Streamlit, the pages, or a package of a higher layer."""
    names = imports(path)
    wrong = [f"{path.name} imports {n}" for n in sorted(names) if n in FORBIDDEN_IN_GEO]
    for name in sorted(names):
        target = name[4:] if name.startswith("geo.") else ""
        if target not in ("", "__version__") and _layer_of(target) > _layer_of(package):
            wrong.append(f"{path.name} (geo.{package}) imports {name} (a higher layer)")
    return wrong


def test_every_module_of_geo_lies_in_a_package_with_a_docstring() -> None:
    assert sorted(p.name for p in GEO.glob("*.py")) == ["__init__.py", "__main__.py"]
    for package in LAYERS:
        doc = ast.get_docstring(ast.parse((GEO / package / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc.split()) > 20, f"geo/{package}/__init__.py says what belongs there"
    for path in GEO.rglob("*.py"):
        if "migrations" not in path.parts and path != GEO / "__init__.py":
            package_of(path)


def test_geo_imports_only_its_own_layer_and_below_and_never_the_ui() -> None:
    wrong = []
    for path in sorted(GEO.rglob("*.py")):
        if "migrations" in path.parts or (path.parent == GEO and path.name == "__init__.py"):
            continue
        wrong += [f"{path.relative_to(ROOT)}: {w}" for w in wrong_imports(path, package_of(path))]
    assert wrong == []


def _module_graph(*, lazy: bool = False) -> dict[str, set[str]]:
    """
    Module -> the modules of `geo` it imports when it is loaded; with `lazy`, also those it imports inside a
    function (a lazy import hides a cycle from Python, not from the reader).
    """
    modules = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts): p
        for p in GEO.rglob("*.py")
        if "migrations" not in p.parts and p.name != "__init__.py"
    }
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps: set[str] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree) if lazy else tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("geo"):
                deps |= {f"{node.module}.{a.name}" for a in node.names} | {node.module}
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names}
        graph[name] = (deps & set(modules)) - {name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of `graph`, or [] (depth first, colouring the modules on the current path)."""
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str]:
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if dep not in state and (found := visit(dep, [*path, dep])):
                return found
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return []


def test_no_import_cycle_when_geo_loads_nor_inside_a_function() -> None:
    graph = _module_graph()
    assert len(graph) > 50
    assert _cycle(graph) == []
    # store -> accounts and store/programme -> knowledge were cycles hidden in functions until issue 31
    assert _cycle(_module_graph(lazy=True)) == []
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [
        "a",
        "b",
        "c",
        "a",
    ]  # the finder finds


def test_pages_reach_the_database_only_through_geo() -> None:
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in [ROOT / "app.py", *sorted((ROOT / "app_pages").rglob("*.py"))]
        for name in imports(path)
        if name in FORBIDDEN_IN_PAGES
    ]
    assert wrong == []


def test_the_document_lists_the_same_packages_and_modules() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for package in LAYERS:
        row = re.search(rf"^\| `geo\.{package}` \|[^|]*\|(?P<modules>[^|]+)\|", text, flags=re.MULTILINE)
        assert row is not None, f"docs/architecture.md has no row for geo.{package}"
        listed = set(re.findall(r"`([\w_]+)`", row["modules"]))
        found = {p.stem for p in (GEO / package).glob("*.py")} - {"__init__"}
        assert listed == found, (package, listed ^ found)


def test_a_wrong_import_is_caught(tmp_path: Path) -> None:
    """The checker itself: Streamlit and a higher layer are found, a type-only import is not."""
    bad = tmp_path / "need.py"
    bad.write_text(
        "import streamlit as st\nfrom geo.output import webmap\nfrom geo.core.i18n import t\n"
        "if TYPE_CHECKING:\n    from geo.register import store\n"
    )
    found = imports(bad)
    assert {"streamlit", "geo.output", "geo.core"} <= found and "geo.register" not in found
    assert wrong_imports(bad, "analysis") == [
        "need.py imports streamlit",
        "need.py (geo.analysis) imports geo.output (a higher layer)",
    ]
    assert wrong_imports(bad, "output") == ["need.py imports streamlit"]
    with pytest.raises(AssertionError, match="no package"):
        package_of(GEO / "need.py")


def test_pages_use_the_house_widgets_for_choices_and_panels() -> None:
    """
    No Streamlit multiselect outside `ui.multiselect` (which hides "Select all" / "Select N matches") and no
    bare `st.tabs` outside `ui.panels` (plain tabs jump back to the first one after a save).
    """
    for path in [ROOT / "app.py", *sorted((ROOT / "app_pages").rglob("*.py"))]:
        text = path.read_text(encoding="utf-8")
        if path.name == "widgets.py":
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


def test_the_entry_point_only_sets_up_and_hands_over() -> None:
    """Issue 31: `app.py` at most 120 lines; the sidebar and the menu are `app_pages.shell`."""
    lines = (ROOT / "app.py").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 120, len(lines)
    assert not [n for n in ast.walk(ast.parse("\n".join(lines))) if isinstance(n, ast.FunctionDef)]


def _script_lines(path: Path) -> int:
    """Lines of a page's module-level script: what runs outside functions, imports and the docstring."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)
    return sum(
        (node.end_lineno or node.lineno) - node.lineno + 1
        for node in tree.body
        if not isinstance(node, skipped)
        and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
    )


def test_a_page_script_only_wires_its_parts(tmp_path: Path) -> None:
    """Issue 31: what a page does at module level fits 40 lines; the rest are named functions."""
    long = {
        path.name: lines
        for path in sorted((ROOT / "app_pages").rglob("*.py"))
        if (lines := _script_lines(path)) > 40
    }
    assert long == {}
    page = tmp_path / "page.py"
    page.write_text('"""Doc."""\nimport x\n\n\ndef f():\n    pass\n\n\nwith x:\n' + "    x.y()\n" * 41)
    assert _script_lines(page) == 42  # the measure counts the script, not the docstring, imports or functions


def test_no_page_function_is_longer_than_60_lines() -> None:
    """Issue 31: a page function wires one part of a page; longer ones are split where the part changes."""
    long = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines} lines)"
        for path in [ROOT / "app.py", *sorted((ROOT / "app_pages").rglob("*.py"))]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (lines := (node.end_lineno or node.lineno) - node.lineno + 1) > 60
    ]
    assert long == [], long


def test_the_register_has_one_write_path() -> None:
    """Issue 31: every write of `geo` goes through `Register.write`; only it writes audit entries."""
    store = GEO / "register" / "store.py"
    private = re.compile(r"\._tx\(|_add_audit\(|add_audit\(")
    found = [
        str(path.relative_to(ROOT))
        for path in sorted([*GEO.rglob("*.py"), *(ROOT / "app_pages").rglob("*.py")])
        if path != store and private.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
    assert private.search(store.read_text(encoding="utf-8"))  # the pattern finds what it looks for


def _private_uses(path: Path) -> list[str]:
    """Another module's private name (`_name`) that `path` imports or reads; a private module's names count."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name
    modules: dict[str, str] = {}  # local name -> the module of `geo` or `app_pages` it stands for
    found: list[str] = []
    package = ".".join(path.relative_to(ROOT).parent.parts) if path.is_relative_to(ROOT) else ""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(("geo", "app_pages")):
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                is_module = (ROOT / (target.replace(".", "/") + ".py")).exists()
                module = target if is_module else node.module
                home, _, last = module.rpartition(".")
                if last.startswith("_") and not last.startswith("__") and home != package:
                    found.append(f"{name} imports the private module {module} of another package")
                if alias.name.startswith("_") and not alias.name.startswith("__") and not is_module:
                    found.append(f"{name} imports {target}")
                if is_module:
                    modules[alias.asname or alias.name] = target
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        ):
            found.append(f"{name} reads {modules[node.value.id]}.{node.attr}")
    return found


def test_no_module_takes_another_modules_private_names(tmp_path: Path) -> None:
    """
    A helper two modules share is public, or lives in a private module (`_name.py`) of their package; no module
    of `geo/` or the pages reaches into another's `_private` names, nor into another package's private module
    (issue 31).
    """
    paths = [ROOT / "app.py", *sorted((ROOT / "app_pages").rglob("*.py")), *sorted(GEO.rglob("*.py"))]
    assert [use for path in paths if "migrations" not in path.parts for use in _private_uses(path)] == []
    # the checker finds both ways
    bad = tmp_path / "example.py"
    bad.write_text(
        "from geo.data import sources\nfrom geo.register.store import _now\nfrom geo.output import _pdf\n"
        "sources._x()\n"
    )
    assert _private_uses(bad) == [
        "example.py imports geo.register.store._now",
        "example.py imports the private module geo.output._pdf of another package",
        "example.py reads geo.data.sources._x",
    ]
