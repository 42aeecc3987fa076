"""The schema: its SDL is checked in, every type and field is documented, every operation is valid."""

from __future__ import annotations

from pathlib import Path

from graphql import GraphQLInputObjectType, GraphQLObjectType, parse, validate
from portal.api.schema import schema, sdl
from portal.web.operations import load_operations

ROOT = Path(__file__).resolve().parent.parent.parent


def test_the_checked_in_sdl_matches_the_code() -> None:
    checked_in = (ROOT / "graphql" / "schema.graphql").read_text()
    assert checked_in == sdl(), (
        "graphql/schema.graphql is stale: run `portal schema > graphql/schema.graphql`"
    )


def test_every_type_and_field_is_documented() -> None:
    undocumented = []
    for name, graphql_type in schema._schema.type_map.items():
        if name.startswith("__") or name in {"String", "Boolean", "Int", "Float", "ID"}:
            continue
        if not graphql_type.description:
            undocumented.append(name)
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInputObjectType):
            undocumented += [f"{name}.{f}" for f, d in graphql_type.fields.items() if not d.description]
    assert undocumented == []


def test_every_operation_is_valid_and_named_after_its_file() -> None:
    operations = load_operations()
    assert operations
    for name, text in operations.items():
        document = parse(text)
        assert validate(schema._schema, document) == [], name
        names = [d.name.value for d in document.definitions if hasattr(d, "name") and d.name]
        assert names == [name]
