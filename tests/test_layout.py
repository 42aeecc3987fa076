"""The repository's shape: graphql/ holds only GraphQL, and the layers import in one direction."""

from __future__ import annotations

import ast
from pathlib import Path

import graphql

ROOT = Path(__file__).resolve().parent.parent


def test_graphql_folder_holds_no_python() -> None:
    assert not list((ROOT / "graphql").rglob("*.py"))
    assert not (ROOT / "graphql" / "__init__.py").exists()


def test_import_graphql_is_graphql_core() -> None:
    assert Path(graphql.__file__).parent.parent.name == "site-packages"
    assert hasattr(graphql, "graphql_sync")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_models_import_nothing_from_portal() -> None:
    for path in (ROOT / "models").glob("*.py"):
        assert not any(name.split(".")[0] == "portal" for name in _imports(path)), path


def test_services_are_free_of_web_and_graphql() -> None:
    web_or_api = ("strawberry", "starlette", "graphql", "portal.api", "portal.web")
    for path in (ROOT / "portal").rglob("*.py"):
        relative = path.relative_to(ROOT / "portal")
        if relative.parts[0] in {"api", "web", "app.py", "cli.py"} or relative.name == "web.py":
            continue
        banned = [n for n in _imports(path) if n.startswith(web_or_api)]
        assert not banned, f"{relative} imports {banned}"
