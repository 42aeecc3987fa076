"""The repository's shape: graphql/ holds only GraphQL, the layers import in one direction, every SQL
statement is in a repository module, and every domain has a service and a repository."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

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


# Every SQL statement is built and run in a repository module: services hold the rules and call repository
# functions; pages, the API, the command line and the demo call services (or, to read, repositories).

SQL_PACKAGES = ("sqlalchemy", "sqlmodel")
# Building a statement ...
STATEMENTS = {"select", "insert", "update", "delete", "text", "union", "union_all"}
# ... and running one (on a session, a connection or a cursor).
RUNS = {"execute", "scalar", "scalars", "stream", "stream_scalars", "exec", "exec_driver_sql"}
# Schema constructs whose arguments may be SQL text: a partial index's WHERE is part of a table's definition,
# not a statement.
SCHEMA_CONSTRUCTS = {"Index", "CheckConstraint", "UniqueConstraint", "Column"}
# Objects with a method of one of those names that is not SQL, as (module).(name) of the binding or the
# parameter's annotation: only these receivers are let through.
NOT_A_DATABASE = {
    "portal.api.schema.schema": "the GraphQL schema: schema.execute runs a GraphQL operation",
    "starlette.requests.Request": "an HTTP request: request.stream() yields its body",
}
# The engine's set-up (SQLite's pragmas and BEGIN IMMEDIATE on each connection) and the unit of work, whose
# grouped() runs the statement a repository gives it.
ENGINE = {"portal/db.py"}


def is_repository(relative: str) -> bool:
    """A repository module: a file named repository.py, or any module in a package named repository."""
    parts = relative.split("/")
    return parts[-1] == "repository.py" or "repository" in parts[:-1]


class _SqlCalls(ast.NodeVisitor):
    """Finds the calls that build or run a SQL statement in one module, however sqlalchemy or sqlmodel was
    imported (``sa.select``, ``from sqlalchemy import select as s``, ``sqlmodel.select``,
    ``postgresql.insert``, ``Model.__table__.insert()``) and whatever the receiver of ``.execute(``."""

    def __init__(self) -> None:
        self.bound: dict[str, str] = {}  # local name -> what it was imported as, "module.name"
        self.found: list[tuple[int, str, tuple[str, ...]]] = []  # line, the call, the enclosing functions
        self._functions: list[tuple[str, dict[str, str]]] = []  # name, its parameters' annotations
        self._parents: dict[ast.AST, ast.AST] = {}

    def check(self, tree: ast.AST) -> list[tuple[int, str, tuple[str, ...]]]:
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self._parents[child] = node
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.bound[alias.asname] = alias.name
                    else:
                        first = alias.name.split(".")[0]
                        self.bound[first] = first
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    self.bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        self.visit(tree)
        return self.found

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        annotations = {a.arg: self._qualified(a.annotation) for a in arguments if a.annotation is not None}
        self._functions.append((node.name, {k: v for k, v in annotations.items() if v}))
        self.generic_visit(node)
        self._functions.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def _qualified(self, node: ast.AST) -> str | None:
        """What a name or dotted name refers to, from the module's imports ("sqlalchemy.select")."""
        if isinstance(node, ast.Name):
            return self.bound.get(node.id)
        if isinstance(node, ast.Attribute):
            owner = self._qualified(node.value)
            return f"{owner}.{node.attr}" if owner else None
        return None

    def _receiver(self, node: ast.AST) -> str | None:
        """What the receiver of a method call is, when the module says: a parameter's annotation, or an
        import."""
        if isinstance(node, ast.Name):
            for _, annotations in reversed(self._functions):
                if node.id in annotations:
                    return annotations[node.id]
        return self._qualified(node)

    def _is_schema_text(self, node: ast.Call) -> bool:
        parent = self._parents.get(node)
        if isinstance(parent, ast.keyword):
            parent = self._parents.get(parent)
        return isinstance(parent, ast.Call) and (self._qualified(parent.func) or "").split(".")[-1] in (
            SCHEMA_CONSTRUCTS
        )

    def visit_Call(self, node: ast.Call) -> None:
        called = self._qualified(node.func)
        if called and called.split(".")[0] in SQL_PACKAGES and called.split(".")[-1] in STATEMENTS:
            if not (called.endswith(".text") and self._is_schema_text(node)):
                self._found(node)
        elif isinstance(node.func, ast.Attribute):
            method, receiver = node.func.attr, node.func.value
            on_a_table = isinstance(receiver, ast.Attribute) and receiver.attr == "__table__"
            if (method in STATEMENTS and on_a_table) or (
                method in RUNS and self._receiver(receiver) not in NOT_A_DATABASE
            ):
                self._found(node)
        self.generic_visit(node)

    def _found(self, node: ast.Call) -> None:
        functions = tuple(name for name, _ in self._functions)
        self.found.append((node.lineno, ast.unparse(node.func) + "(", functions))


def sql_calls(source: str) -> list[tuple[int, str, tuple[str, ...]]]:
    """Each call in ``source`` that builds or runs a SQL statement: its line, what is called, and the
    functions it is in (outermost first)."""
    return _SqlCalls().check(ast.parse(source))


def _modules() -> list[tuple[str, Path]]:
    paths = [p for folder in ("portal", "models", "handover") for p in sorted((ROOT / folder).rglob("*.py"))]
    return [
        (path.relative_to(ROOT).as_posix(), path)
        for path in paths
        if not path.relative_to(ROOT).as_posix().startswith("models/migrations/")  # schema changes
    ]


def test_every_sql_statement_is_in_a_repository_module() -> None:
    misplaced = [
        f"{relative}:{line}: {call}"
        for relative, path in _modules()
        if not is_repository(relative) and relative not in ENGINE
        for line, call, _ in sql_calls(path.read_text())
    ]
    assert not misplaced, "SQL outside a repository module:\n" + "\n".join(misplaced)


def test_what_may_hold_sql_exists() -> None:
    for entry in ENGINE:
        assert (ROOT / entry).exists(), entry


@pytest.mark.parametrize(
    "source",
    [
        "import sqlalchemy as sa\nasync def f(s):\n    return sa.select(1)",
        "import sqlalchemy\nsqlalchemy.update(T)",
        "import sqlmodel\nsqlmodel.select(T)",
        "from sqlalchemy import select\nselect(T)",
        "from sqlmodel import select as pick\npick(T)",
        "from sqlalchemy.dialects import postgresql\npostgresql.insert(T)",
        "from sqlalchemy.dialects.sqlite import insert\ninsert(T)",
        "import sqlalchemy as sa\nsa.text('ANALYZE')",
        "import sqlalchemy as sa\nsa.union(a, b)",
        "T.__table__.delete()",
        "async def f(session):\n    await session.execute(stmt)",
        "async def f(s):\n    return (await s.scalars(stmt)).all()",
        "async def f(self):\n    await self.session.scalar(stmt)",
        "async def f(conn):\n    conn.exec_driver_sql('BEGIN')",
        "from portal.api.schema import schema\nasync def f(session):\n    await session.execute(q)",
        "async def f(schema):\n    await schema.execute(q)",
        "async def f(request):\n    request.stream()",
    ],
)
def test_the_layout_check_finds_sql(source: str) -> None:
    assert sql_calls(source)


@pytest.mark.parametrize(
    "source",
    [
        "from portal.api.schema import schema\nasync def f():\n    await schema.execute(q)",
        "from starlette.requests import Request\nasync def f(request: Request):\n    request.stream()",
        "import sqlalchemy as sa\nsa.Index('ix', 'a', sqlite_where=sa.text('a IS NULL'))",
        "async def f(session, store, found):\n    session.add(x)\n    await session.delete(x)\n"
        "    await store.delete(d)\n    found.update(more)\n    await session.get(T, 1)",
        "import sqlalchemy as sa\ncondition = sa.and_(T.a == 1, sa.func.count() > 2)",
    ],
)
def test_the_layout_check_lets_other_calls_through(source: str) -> None:
    assert not sql_calls(source)


# The packages under portal/ that are not domains, and why. Every other package is a domain: its rules in
# service.py and every query in repository.py (or a package named repository), and other modules only where
# they earn their place.
NOT_DOMAINS = {
    "api": "the GraphQL schema: types, loaders and resolvers over the services",
    "web": "the pages, a client of the API",
    "auth": "sign-in, sessions, API tokens and the Actor, for every domain (its queries: auth/repository.py)",
    "storage": "the blob stores, which hold no database rows",
    "mail": "the outbox and its sender: how notices travel, with no rules of their own (mail/repository.py)",
    "synth": "synthetic national data for the benchmarks (its bulk statements: synth/repository.py)",
}


def _packages() -> list[Path]:
    return sorted(p.parent for p in (ROOT / "portal").glob("*/__init__.py"))


def test_not_domains_are_packages() -> None:
    assert set(NOT_DOMAINS) <= {p.name for p in _packages()}


def test_every_domain_has_a_service_and_a_repository() -> None:
    for package in _packages():
        if package.name in NOT_DOMAINS:
            continue
        assert (package / "service.py").is_file(), f"portal/{package.name} has no service.py"
        assert (package / "repository.py").is_file() or (package / "repository" / "__init__.py").is_file(), (
            f"portal/{package.name} has no repository"
        )
