"""The schema: its SDL is checked in, every type and field is documented, every operation is valid."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from graphql import GraphQLInputObjectType, GraphQLObjectType, parse, validate
from portal.api.documents import load_operations
from portal.api.schema import schema, sdl
from portal.app import create_app
from portal.settings import Environment, Settings
from tests.support.world import World

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


async def test_graphiql_is_served_in_development_only(settings: Settings, engine: AsyncEngine) -> None:
    # Elsewhere a page of HTML is not on offer: the refusal is JSON (issue 13).
    for environment, expected in ((Environment.DEVELOPMENT, 200), (Environment.TEST, 406)):
        app = create_app(settings.model_copy(update={"environment": environment}), engine=engine)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://portal.test"
        ) as c:
            response = await c.get("/graphql", headers={"Accept": "text/html"})
        assert response.status_code == expected, environment
        assert ("graphiql" in response.text.lower()) is (expected == 200)
        if expected != 200:
            assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"


async def test_mutations_are_refused_over_get(client: httpx.AsyncClient, world: World) -> None:
    """GraphQL over HTTP: a mutation over GET is 405 with Allow: POST (issue 13)."""
    response = await client.get(
        "/graphql",
        params={"query": "mutation { logContact(input: {}) { errors { code } } }"},
        headers={"Authorization": f"Bearer {await world.token('guardian')}"},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
