"""The audit trail: every event appended without a shared lock, sealed into a keyed hash chain by the sealer,
anchored by signed checkpoints outside the database, and checked by ``portal audit verify``, which names
the first problem: an event altered, deleted, inserted or reordered, a chain cut short, a checkpoint that
does not match, even after a rewrite by someone who can write the database and has the portal's code."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import AuditEvent, AuditQueue, AuditSeal, utcnow
from portal.audit import pending, repository
from portal.audit import service as audit
from portal.audit.chain import Verdict, digest, verify
from portal.audit.checkpoints import Checkpoint, FileStore, S3Store, checkpoint_store
from portal.audit.keys import Key, Keyring, KeyringError, new_entry, parse
from portal.audit.sealer import Sealed, Sealer, sealer_for
from portal.db import READ_ONLY, create_session_factory
from portal.settings import Settings
from tests.support.graphql import gql, log_contact
from tests.support.queries import audit_triggers_set_aside
from tests.support.s3 import S3Server
from tests.support.world import World


async def _trail(client: httpx.AsyncClient, world: World) -> uuid.UUID:
    """A little history: a case opened and allocated, read by three people, a contact logged."""
    case_id = await world.open_case()
    for who in ("guardian", "iro", "solicitor"):
        await gql(client, await world.token(who), "CaseView", id=str(case_id))
    await log_contact(client, world, "guardian", "iro", case_id)
    return case_id


async def _seal(engine: AsyncEngine, settings: Settings) -> Sealed:
    return await sealer_for(create_session_factory(engine), settings).run_once(checkpoint=True)


async def _verdict(engine: AsyncEngine, settings: Settings, keyring: Keyring | None = None) -> Verdict:
    async with AsyncSession(engine) as session:
        latest = await checkpoint_store(settings).latest()
        return await verify(session, keyring or settings.audit_keyring, latest)


async def _tamper(engine: AsyncEngine, statement: str, **params: object) -> None:
    """What someone with the database owner's rights could do: set the triggers aside and change rows."""
    async with engine.begin() as connection, audit_triggers_set_aside(connection):
        await connection.execute(sa.text(statement), params)


async def _head(engine: AsyncEngine) -> int:
    """The chain's length, read without taking SQLite's write lock from the sealer."""
    async with engine.connect() as connection:
        await connection.execution_options(**{READ_ONLY: True})
        return (await connection.execute(sa.select(sa.func.count()).select_from(AuditSeal))).scalar_one()


def _id(engine: AsyncEngine, value: uuid.UUID) -> object:
    """A uuid as the database keeps it, for hand-written SQL."""
    return value.hex if engine.dialect.name == "sqlite" else value


async def _sealed_trail(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> int:
    await _trail(client, world)
    sealed = await _seal(engine, settings)
    assert sealed.head >= 8
    return sealed.head


async def test_an_untouched_trail_verifies(
    client: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    settings: Settings,
    portal,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await _trail(client, world)
    status, out, _ = await portal(capsys, "audit", "seal")
    assert status == 0
    verdict = await _verdict(engine, settings)
    assert verdict.clean, verdict.problem
    assert verdict.checkpoint is not None
    assert verdict.checkpoint.seq == verdict.rows >= 8
    assert f"Sealed {verdict.rows} events: the chain has {verdict.rows} rows" in out
    status, out, _ = await portal(capsys, "audit", "verify")
    assert status == 0
    assert (
        f"{verdict.rows} rows, none altered or removed; it matches the checkpoint of row {verdict.rows}"
        in out
    )


async def test_events_are_sealed_in_order_with_no_gap_and_only_once(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    await _trail(client, world)
    first = await _seal(engine, settings)
    await log_contact(client, world, "iro", "guardian", await world.open_case())
    second = await _seal(engine, settings)
    assert second.head > first.head
    assert second.events == second.head - first.head
    async with AsyncSession(engine) as session:
        seqs = list((await session.execute(sa.select(AuditSeal.seq).order_by(AuditSeal.seq))).scalars())
        events = (await session.execute(sa.select(sa.func.count()).select_from(AuditEvent))).scalar_one()
        queued = (await session.execute(sa.select(sa.func.count()).select_from(AuditQueue))).scalar_one()
    assert seqs == list(range(1, events + 1))
    assert queued == 0
    assert (await _verdict(engine, settings)).clean


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("action", "'case.list'"),
        ("source", "'10.0.0.1'"),
        ("outcome", "'refused'"),
        ("acting_as", "'iro_manager'"),
    ],
)
async def test_altering_one_field_of_one_event_is_reported(
    client: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    settings: Settings,
    portal,
    capsys: pytest.CaptureFixture[str],
    column: str,
    value: str,
) -> None:
    await _sealed_trail(client, world, engine, settings)
    await _tamper(
        engine,
        f"UPDATE audit_event SET {column} = {value} "
        "WHERE id = (SELECT event_id FROM audit_seal WHERE seq = 5)",
    )
    status, _, err = await portal(capsys, "audit", "verify")
    assert status != 0
    assert "row 5 " in err
    assert "altered" in err


async def test_altering_the_person_is_reported(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    await _sealed_trail(client, world, engine, settings)
    await _tamper(
        engine,
        "UPDATE audit_event SET person_id = :someone "
        "WHERE id = (SELECT event_id FROM audit_seal WHERE seq = 6)",
        someone=_id(engine, world.id("other_iro")),
    )
    verdict = await _verdict(engine, settings)
    assert verdict.problem is not None
    assert verdict.problem.startswith("row 6 ")


async def test_deleting_an_event_is_reported(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    await _sealed_trail(client, world, engine, settings)
    await _tamper(
        engine, "DELETE FROM audit_event WHERE id = (SELECT event_id FROM audit_seal WHERE seq = 4)"
    )
    verdict = await _verdict(engine, settings)
    assert verdict.problem is not None
    assert verdict.problem.startswith("row 4 has lost its event")


async def test_deleting_a_seal_in_the_middle_is_reported(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    await _sealed_trail(client, world, engine, settings)
    await _tamper(engine, "DELETE FROM audit_seal WHERE seq = 4")
    assert (await _verdict(engine, settings)).problem == "row 4 is missing: row 5 follows row 3"


async def test_cutting_the_chain_short_is_reported_by_the_checkpoint(
    client: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    settings: Settings,
    portal,
    capsys: pytest.CaptureFixture[str],
) -> None:
    head = await _sealed_trail(client, world, engine, settings)
    # The last two events and their seals go: what is left is a perfect chain, but a shorter one.
    await _tamper(
        engine,
        "DELETE FROM audit_event WHERE id IN (SELECT event_id FROM audit_seal WHERE seq >= :from)",
        **{"from": head - 1},
    )
    await _tamper(engine, "DELETE FROM audit_seal WHERE seq >= :from", **{"from": head - 1})
    status, _, err = await portal(capsys, "audit", "verify")
    assert status != 0
    assert f"the chain ends at row {head - 2} but the checkpoint" in err
    assert f"rows {head - 1} to {head} have been removed" in err


async def test_reordering_events_is_reported(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    await _sealed_trail(client, world, engine, settings)
    async with AsyncSession(engine) as session:
        third, fourth = (
            await session.execute(
                sa.select(AuditSeal.event_id).where(AuditSeal.seq.in_([3, 4])).order_by(AuditSeal.seq)
            )
        ).scalars()
    # Swapped in two steps, as the unique constraint on event_id wants.
    await _tamper(engine, "UPDATE audit_seal SET event_id = :e WHERE seq = 3", e=_id(engine, uuid.uuid4()))
    await _tamper(engine, "UPDATE audit_seal SET event_id = :e WHERE seq = 4", e=_id(engine, third))
    await _tamper(engine, "UPDATE audit_seal SET event_id = :e WHERE seq = 3", e=_id(engine, fourth))
    verdict = await _verdict(engine, settings)
    assert verdict.problem is not None
    assert verdict.problem.startswith("row 3 ")


async def test_an_event_slipped_in_behind_the_trails_back_is_reported(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    await _sealed_trail(client, world, engine, settings)
    forged = uuid.uuid4()
    async with engine.begin() as connection:
        await connection.execute(
            sa.insert(AuditEvent).values(
                id=forged,
                occurred_at=utcnow() - timedelta(days=30),
                action="case.view",
                subject_type="case",
                outcome="success",
            )
        )
        # Taken off the queue before the sealer sees it, so that it is never sealed.
        await connection.execute(sa.delete(AuditQueue).where(AuditQueue.event_id == forged))
    verdict = await _verdict(engine, settings)
    assert verdict.problem is not None
    assert f"the event {forged} (case.view" in verdict.problem
    assert "neither sealed nor queued" in verdict.problem


async def test_a_forged_seal_is_reported(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    """An event and a seal added at the end of the chain, with a hash made with a key other than ours."""
    head = await _sealed_trail(client, world, engine, settings)
    async with AsyncSession(engine) as session:
        _, prev = await repository.chain_head(session)
    event = AuditEvent(id=uuid.uuid4(), occurred_at=utcnow(), action="case.view", subject_type="case")
    guess = Key(settings.audit_keyring.current.id, b"a guess at the portal's audit key!!")
    async with engine.begin() as connection, audit_triggers_set_aside(connection):
        await connection.execute(sa.insert(AuditEvent).values(**event.model_dump()))
        await connection.execute(sa.delete(AuditQueue).where(AuditQueue.event_id == event.id))
        await connection.execute(
            sa.insert(AuditSeal).values(
                seq=head + 1,
                event_id=event.id,
                key_id=guess.id,
                hash=digest(guess, head + 1, prev, event),
                sealed_at=utcnow(),
            )
        )
    verdict = await _verdict(engine, settings)
    assert (
        verdict.problem
        == f"row {head + 1} (event {event.id}) has been altered: it does not match its keyed hash"
    )


async def test_a_rewrite_with_the_portals_own_code_is_reported(
    client: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    settings: Settings,
    portal,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Someone who can write the database (not the key file, not the checkpoints) drops the triggers,
    deletes one person's events on a case, re-chains the rest with the project's own digest function and
    the key id the seals name, and puts the triggers back. Without the key, nothing they make verifies."""
    case_id = await _trail(client, world)
    await _seal(engine, settings)
    iro = _id(engine, world.id("iro"))
    async with AsyncSession(engine) as session:
        rows = await repository.seals_from(session, 1, 10_000)
    kept = [
        (seal, event)
        for seal, event in rows
        if event is not None and not (event.person_id == world.id("iro") and event.case_id == case_id)
    ]
    assert len(kept) < len(rows)
    made_up = Key(settings.audit_keyring.current.id, os.urandom(32))
    async with engine.begin() as connection, audit_triggers_set_aside(connection):
        await connection.execute(
            sa.text("DELETE FROM audit_event WHERE person_id = :iro AND case_id = :case"),
            {"iro": iro, "case": _id(engine, case_id)},
        )
        await connection.execute(sa.delete(AuditSeal))
        prev = "0" * 64
        for seq, (_, event) in enumerate(kept, start=1):
            prev = digest(made_up, seq, prev, event)
            await connection.execute(
                sa.insert(AuditSeal).values(
                    seq=seq, event_id=event.id, key_id=made_up.id, hash=prev, sealed_at=utcnow()
                )
            )
    status, _, err = await portal(capsys, "audit", "verify")
    assert status != 0
    assert "row 1 " in err
    assert "does not match its keyed hash" in err


async def test_a_checkpoint_that_does_not_match_is_reported(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    head = await _sealed_trail(client, world, engine, settings)
    store = checkpoint_store(settings)
    assert isinstance(store, FileStore)
    latest = await store.latest()
    assert latest is not None
    assert latest.seq == head
    # A checkpoint for the right row with another hash, properly signed (as if the chain were rewritten
    # after it was made, by someone with the key): the chain does not match it.
    await store.append(Checkpoint.sign(settings.audit_keyring.current, head, "f" * 64))
    assert (
        await _verdict(engine, settings)
    ).problem == f"row {head} does not match the checkpoint signed for it"
    # One whose signature is not ours.
    await store.append(Checkpoint.sign(Key("test", os.urandom(32)), head, latest.hash))
    assert (
        await _verdict(engine, settings)
    ).problem == f"the checkpoint at row {head} is not signed by a key of the keyring"
    # And a line that is not a checkpoint at all.
    with store.path.open("a") as file:
        file.write('{"origin": "someone else"}\n')
    with pytest.raises(ValueError, match="not a checkpoint"):
        await store.latest()


async def test_a_sealer_that_fails_mid_batch_leaves_no_gap(
    client: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _trail(client, world)
    sessions = create_session_factory(engine)
    sealer = Sealer(sessions, settings.audit_keyring, checkpoint_store(settings), batch=3)
    assert await sealer.seal_batch() == 3
    real = repository.add_seals

    async def dies_after_writing(session: AsyncSession, *args: object) -> None:
        await real(session, *args)  # type: ignore[arg-type]
        raise ConnectionResetError("the sealer's connection dropped before it committed")

    monkeypatch.setattr(repository, "add_seals", dies_after_writing)
    with pytest.raises(ConnectionResetError):
        await sealer.seal_batch()
    monkeypatch.setattr(repository, "add_seals", real)
    async with AsyncSession(engine) as session:
        assert await repository.chain_head(session) != (0, "")
        assert (await repository.chain_head(session))[0] == 3
    sealed = await sealer.run_once(checkpoint=True)
    verdict = await _verdict(engine, settings)
    assert verdict.clean, verdict.problem
    assert verdict.rows == sealed.head
    assert sealed.events == sealed.head - 3


async def test_a_sealer_killed_mid_seal_resumes_without_a_gap(
    engine: AsyncEngine, settings: Settings, database_url: str
) -> None:
    """A real `portal audit seal` process, killed with SIGKILL while it works through a long queue."""
    total = 20_000
    start = utcnow() - timedelta(hours=1)
    async with engine.begin() as connection:
        for offset in range(0, total, 1000):
            await connection.execute(
                sa.insert(AuditEvent).values(
                    [
                        {
                            "id": uuid.uuid4(),
                            "occurred_at": start + timedelta(milliseconds=n),
                            "action": "case.view",
                            "subject_type": "case",
                            "outcome": "success",
                        }
                        for n in range(offset, offset + 1000)
                    ]
                )
            )
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_VAR_DIR": str(settings.var_dir),
        "PORTAL_AUDIT_KEY": settings.audit_key,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from portal.cli import main; main(['audit', 'seal', '--batch', '100'])",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        for _ in range(3000):  # up to a minute for the process to start and seal its first batch
            if await _head(engine) > 0 or process.returncode is not None:
                break
            await asyncio.sleep(0.02)
        process.send_signal(signal.SIGKILL)
    finally:
        await process.wait()
    async with AsyncSession(engine) as session:
        head, _ = await repository.chain_head(session)
        waiting, _ = await repository.backlog(session)
    assert 0 < head < total, "the kill should land while the sealer works"
    assert head + waiting == total
    assert (await _verdict(engine, settings)).clean
    # The killed sealer's transaction keeps PostgreSQL's advisory lock until the server notices its client
    # has gone (a moment, longer on a busy machine); until then a round skips, as the background sealer's
    # would, and the next one takes the lock.
    for _ in range(500):
        sealed = await _seal(engine, settings)
        if sealed.events:
            break
        await asyncio.sleep(0.02)
    assert (sealed.events, sealed.head) == (total - head, total)
    verdict = await _verdict(engine, settings)
    assert verdict.clean
    assert verdict.rows == total


async def test_keys_rotate_and_old_seals_verify_with_the_old_key(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    await _trail(client, world)
    before = await _seal(engine, settings)
    rotated = Settings(**{**settings.model_dump(), "audit_key": f"{new_entry('k2')},{settings.audit_key}"})
    await log_contact(client, world, "iro", "guardian", await world.open_case())
    after = await _seal(engine, rotated)
    assert after.head > before.head
    async with AsyncSession(engine) as session:
        keys = dict((await session.execute(sa.select(AuditSeal.seq, AuditSeal.key_id))).all())
    assert keys[before.head] == "test"
    assert keys[after.head] == "k2"
    assert (await _verdict(engine, rotated)).clean
    newest_only = Keyring(rotated.audit_keyring.keys[:1])
    problem = (await _verdict(engine, rotated, newest_only)).problem
    assert problem == "row 1 names the key 'test', which is not in the keyring"


def test_keyrings_refuse_weak_or_malformed_keys() -> None:
    with pytest.raises(KeyringError, match="at least 32 bytes"):
        parse("k1:c2hvcnQ")
    with pytest.raises(KeyringError, match="appears twice"):
        parse(f"{new_entry('k1')}\n{new_entry('k1')}")
    with pytest.raises(KeyringError, match="is not '<key id>:<secret>'"):
        parse("no secret here")
    ring = parse(f"# comment\n{new_entry('new')}\n{new_entry('old')}  # retired\n")
    assert [k.id for k in ring.keys] == ["new", "old"]
    assert "secret" not in repr(ring.current)
    assert repr(ring.current) == "Key('new')"


def test_the_embedded_default_makes_one_key_and_keeps_it(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path, database_url="sqlite+aiosqlite:///x.db")
    first = settings.audit_keyring
    assert (tmp_path / "audit.keys").stat().st_mode & 0o777 == 0o600
    assert Settings(var_dir=tmp_path, database_url="sqlite+aiosqlite:///x.db").audit_keyring == first


async def test_appending_takes_no_lock_that_other_requests_share(
    engine: AsyncEngine, is_postgres: bool
) -> None:
    """One request has appended its events (and the trigger queued them) but not yet committed; another
    request's append commits at once, without waiting for it."""
    if not is_postgres:
        pytest.skip("SQLite has one writer at a time by design")
    async with AsyncSession(engine) as first, AsyncSession(engine) as second:
        audit.record(first, None, "case.view", subject_type="case")
        await first.run_sync(lambda s: repository.insert_events(s, [p.row for p in pending.take(s)]))
        await second.execute(sa.text("SET lock_timeout = '2s'"))
        audit.record(second, None, "case.view", subject_type="case")
        await second.commit()
        await first.rollback()
    async with AsyncSession(engine) as session:
        assert (await session.execute(sa.select(sa.func.count()).select_from(AuditQueue))).scalar_one() == 1


async def test_concurrent_sealers_seal_each_event_once(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    case_id = await world.open_case()
    tokens = [await world.token(who) for who in ("guardian", "iro", "solicitor", "cafcass_manager")]
    await asyncio.gather(*(gql(client, tokens[n % 4], "CaseView", id=str(case_id)) for n in range(12)))
    sessions = create_session_factory(engine)
    sealers = [
        Sealer(sessions, settings.audit_keyring, checkpoint_store(settings), batch=2) for _ in range(3)
    ]
    results = await asyncio.gather(*(s.run_once() for s in sealers), return_exceptions=True)
    # On SQLite a sealer may wait for another's write lock; none may fail or seal twice.
    assert not [r for r in results if isinstance(r, BaseException)]
    await _seal(engine, settings)
    verdict = await _verdict(engine, settings)
    assert verdict.clean, verdict.problem
    async with AsyncSession(engine) as session:
        events = (await session.execute(sa.select(sa.func.count()).select_from(AuditEvent))).scalar_one()
    assert verdict.rows == events


async def test_checkpoints_go_to_the_bucket_under_object_lock_when_papers_live_in_s3(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    server = S3Server()
    try:
        bucket = server.bucket(f"papers-{uuid.uuid4().hex[:8]}", object_lock=True)
        in_s3 = Settings(
            **{
                **settings.model_dump(),
                "blob_backend": "s3",
                "s3_bucket": bucket,
                "s3_endpoint_url": server.endpoint,
                "s3_access_key": "testing",
                "s3_secret_key": "testing",
            }
        )
        store = checkpoint_store(in_s3)
        assert isinstance(store, S3Store)
        await _trail(client, world)
        first = await _seal(engine, in_s3)
        await log_contact(client, world, "iro", "guardian", await world.open_case())
        second = await _seal(engine, in_s3)
        latest = await store.latest()
        assert latest is not None
        assert first.checkpoint
        assert second.checkpoint
        assert latest == second.checkpoint
        assert latest.seq > first.checkpoint.seq
        keys = server.keys(bucket)
        assert len(keys) == 2
        assert all(k.startswith("audit-checkpoints/") for k in keys)
        assert server.retention(bucket, keys[0])["Mode"] == "COMPLIANCE"
        assert (await _verdict(engine, in_s3)).clean
    finally:
        server.stop()


@pytest.mark.parametrize("statement", ["UPDATE {table} SET key_id = 'x'", "DELETE FROM {table}"])
@pytest.mark.parametrize("table", ["audit_event", "audit_seal"])
async def test_the_database_refuses_to_change_the_trail(
    client: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    settings: Settings,
    statement: str,
    table: str,
) -> None:
    await _sealed_trail(client, world, engine, settings)
    sql = statement.format(table=table).replace("key_id", "action" if table == "audit_event" else "key_id")
    with pytest.raises(DBAPIError, match="append-only"):
        async with engine.begin() as connection:
            await connection.execute(sa.text(sql))


async def test_a_refusal_is_kept_though_the_request_wrote_nothing(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    case_id = await world.open_case()
    await log_contact(client, world, "guardian2", "iro", case_id)  # not their case
    async with AsyncSession(engine) as session:
        events = (
            (
                await session.execute(
                    sa.select(AuditEvent).where(AuditEvent.person_id == world.id("guardian2"))
                )
            )
            .scalars()
            .all()
        )
    assert sorted((e.action, e.outcome.value, e.case_id) for e in events) == [
        ("refused:contact:log", "refused", case_id),
        ("token.use", "success", None),
    ]
    assert {e.channel for e in events} == {"api"}
    await _seal(engine, settings)
    assert (await _verdict(engine, settings)).clean


def test_the_portal_refuses_to_start_without_good_audit_keys(settings: Settings, tmp_path: Path) -> None:
    from portal.app import create_app

    with pytest.raises(KeyringError, match="at least 32 bytes"):
        create_app(Settings(**{**settings.model_dump(), "audit_key": "k1:c2hvcnQ"}))
    with pytest.raises(KeyringError, match="cannot read the audit key file"):
        create_app(
            Settings(**{**settings.model_dump(), "audit_key": "", "audit_key_file": tmp_path / "none"})
        )
