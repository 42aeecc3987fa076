"""The ``portal`` command: serve, migrate, demo, and provisioning organisations, people and API tokens."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import ApiToken, OrganisationKind, Role, utcnow
from portal import background, clock, migrations
from portal.access.policy import Permission
from portal.audit.keys import KeyringError
from portal.audit.sealer import BATCH
from portal.auth import tokens
from portal.auth.identities import InvitedSubject
from portal.db import create_engine, create_session_factory
from portal.errors import DomainError
from portal.obligations import rules
from portal.outage import first_line
from portal.people import service as people
from portal.settings import Settings, SettingsError
from portal.storage import blob_store
from portal.storage.blobs import BlobStore

ORGANISATION_KINDS = {
    "local-authority": OrganisationKind.LOCAL_AUTHORITY,
    "cafcass": OrganisationKind.CAFCASS_SERVICE_AREA,
    "court": OrganisationKind.COURT,
}


def _run_in_transaction(settings: Settings, work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    """Run ``work`` in one transaction: committed if it succeeds, rolled back if it raises."""

    async def run() -> Any:
        engine = create_engine(settings.database_url)
        try:
            async with create_session_factory(engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _migrate(settings: Settings) -> None:
    async def run() -> None:
        engine = create_engine(settings.database_url)
        try:
            await migrations.upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())


def _with_store(settings: Settings, work: Callable[[AsyncEngine, BlobStore], Awaitable[str]]) -> None:
    """Run ``work`` on the database and the file store, print what it says, and refuse in a line what
    cannot be backed up or restored."""
    from portal.backup.service import BackupError

    async def run() -> str:
        engine = create_engine(settings.database_url)
        blobs = blob_store(settings)
        try:
            return await work(engine, blobs)
        finally:
            await blobs.close()
            await engine.dispose()

    try:
        print(asyncio.run(run()))
    except BackupError as error:
        raise SystemExit(f"portal: {error}") from None


def cmd_backup(settings: Settings, args: argparse.Namespace) -> None:
    from portal.backup.service import back_up

    async def backup(engine: AsyncEngine, blobs: BlobStore) -> str:
        manifest = await back_up(create_session_factory(engine), blobs, args.to, settings.audit_keyring)
        rows = sum(held["rows"] for held in manifest.tables.values())
        return (
            f"Backed up {rows} rows of {len(manifest.tables)} tables and {len(manifest.blobs)} files "
            f"(migration {manifest.revision}) into {args.to}."
        )

    _with_store(settings, backup)


def cmd_restore(settings: Settings, args: argparse.Namespace) -> None:
    from portal.backup.service import restore

    async def put_back(engine: AsyncEngine, blobs: BlobStore) -> str:
        await migrations.upgrade(engine)
        restored = await restore(
            create_session_factory(engine),
            blobs,
            args.source,
            settings.audit_keyring,
            migrations.head_revision() or "",
        )
        return (
            f"Restored {restored.rows} rows of {restored.tables} tables and {restored.blobs} files from "
            f"{args.source}: every table holds the backup's rows, every file's SHA-256 matches, and the "
            f"audit trail verifies ({restored.audit.rows} rows)."
        )

    _with_store(settings, put_back)


def cmd_migrate(settings: Settings, _args: argparse.Namespace) -> None:
    _migrate(settings)
    print("The database is up to date.")


def cmd_demo(settings: Settings, args: argparse.Namespace) -> None:
    from portal import demo  # the demo world loads only when asked for

    _migrate(settings)

    async def load(session: AsyncSession) -> Any:
        if not await demo.database_is_empty(session):
            return None
        store = blob_store(settings)
        try:
            return await demo.load_demo(session, today=clock.today(), store=store)
        finally:
            await store.close()

    summary = _run_in_transaction(settings, load)
    if summary is None:
        if not args.if_empty:
            raise SystemExit("The database is not empty: the demo loads only into an empty database.")
        print("The database has data already: the demo was not loaded.")
        return
    print(
        f"Loaded the demo: {summary.organisations} organisations, {summary.people} people, "
        f"{summary.children} children in {summary.proceedings} sets of proceedings, "
        f"{summary.contacts} contacts."
    )


def cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    from portal.web.serving import serve

    if args.demo and args.workers > 1:
        raise SystemExit("The demo runs in one process: leave out --workers.")
    if args.demo:
        # The demo's made-up people have no mailboxes: unless an SMTP server is named, its email is held in
        # the outbox (see `portal outbox status`) rather than tried and retried against nothing.
        held = "PORTAL_SMTP_HOST" not in os.environ and "PORTAL_OUTBOX_IN_APP" not in os.environ
        settings = Settings(
            **{
                **settings.model_dump(),
                "demo_sign_in": True,
                "outbox_in_app": settings.outbox_in_app and not held,
            }
        )
        cmd_demo(settings, argparse.Namespace(if_empty=True))
        if held:
            print("Email is held in the outbox: set PORTAL_SMTP_HOST to send it.")
        print(f"Open http://{args.host}:{args.port}/ and choose a person to sign in as.")
    else:
        _ready_to_serve(settings, migrate=args.migrate)
    serve(settings, args.host, args.port, args.workers)


def _ready_to_serve(settings: Settings, *, migrate: bool) -> None:
    """Refuse to serve a database that is not migrated to this version (every request would fail), in one
    line, unless asked to migrate it. One that does not answer yet is served all the same: its requests get
    503 and /readyz says why until it does, and the process need not be restarted."""

    async def migrated() -> bool:
        engine = create_engine(settings.database_url)
        try:
            async with asyncio.timeout(10):
                return await migrations.at_head(engine)
        finally:
            await engine.dispose()

    try:
        if asyncio.run(migrated()):
            return
    except Exception as error:
        cause = first_line(error)
        print(
            f"portal: the database does not answer yet ({cause}): serving 503 until it does", file=sys.stderr
        )
        return
    if not migrate:
        raise SystemExit(
            "portal: the database is not migrated to this version: run `portal migrate` first "
            "(or `portal serve --migrate`)"
        )
    _migrate(settings)


def cmd_org_add(settings: Settings, args: argparse.Namespace) -> None:
    async def add(session: AsyncSession) -> str:
        area = await people.organisation_by_name(session, args.service_area) if args.service_area else None
        organisation = await people.add_organisation(
            session,
            None,
            kind=ORGANISATION_KINDS[args.kind],
            name=args.name,
            ons_code=args.ons_code,
            service_area_id=area.id if area else None,
        )
        return f"Added {organisation.name} ({args.kind})."

    print(_run_in_transaction(settings, add))


def cmd_user_add(settings: Settings, args: argparse.Namespace) -> None:
    async def add(session: AsyncSession) -> str:
        organisation = await people.organisation_by_name(session, args.org)
        person = await people.add_person(
            session,
            None,
            organisation_id=organisation.id,
            name=args.name,
            email=args.email,
            roles=[Role(r) for r in args.role],
            team=args.team,
            invited_subject=_invited(args),
            providers=settings.oidc_providers,
        )
        return f"Added {person.name} <{person.email}> to {organisation.name}."

    print(_run_in_transaction(settings, add))


def _invited(args: argparse.Namespace) -> InvitedSubject | None:
    if (args.provider is None) != (args.subject is None):
        raise SystemExit("portal: name the sign-in service (--provider) and the account (--subject) together")
    return None if args.provider is None else InvitedSubject(provider=args.provider, subject=args.subject)


def cmd_user_invite(settings: Settings, args: argparse.Namespace) -> None:
    async def invite(session: AsyncSession) -> str:
        person = await people.person_by_email(session, args.email)
        await people.update_person(
            session, None, person.id, invited_subject=_invited(args), providers=settings.oidc_providers
        )
        return f"{person.name} can sign in with that account at {args.provider}."

    print(_run_in_transaction(settings, invite))


def cmd_token_create(settings: Settings, args: argparse.Namespace) -> None:
    async def create(session: AsyncSession) -> str:
        person = await people.person_by_email(session, args.email)
        _, secret = await tokens.create_token(
            session,
            None,
            person.id,
            label=args.label,
            scopes=args.scope or ["case:read"],
            expires_in_days=args.expires_days or None,
        )
        return secret

    # The token itself is the only output, so it can be captured by a script.
    print(_run_in_transaction(settings, create))


def cmd_token_list(settings: Settings, args: argparse.Namespace) -> None:
    async def listing(session: AsyncSession) -> list[str]:
        person = await people.person_by_email(session, args.email)
        now = utcnow()
        return [
            f"{t.id}  {t.label!r}  scopes: {t.scopes}  {_token_state(t, now)}"
            for t in await tokens.tokens_of(session, person.id)
        ]

    print("\n".join(_run_in_transaction(settings, listing)) or "No tokens.")


def _token_state(token: ApiToken, now: datetime) -> str:
    if token.revoked_at:
        return f"revoked {token.revoked_at:%Y-%m-%d}"
    if token.expires_at and token.expires_at <= now:
        return f"expired {token.expires_at:%Y-%m-%d}"
    used = f", last used {token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else ", never used"
    until = f"until {token.expires_at:%Y-%m-%d}" if token.expires_at else "without end"
    return f"live {until}{used}"


def cmd_token_revoke(settings: Settings, args: argparse.Namespace) -> None:
    async def revoke(session: AsyncSession) -> str:
        person = await people.person_by_email(session, args.email)
        token = await tokens.revoke_token(session, None, person.id, uuid.UUID(args.id))
        return f"Revoked {token.label!r}."

    print(_run_in_transaction(settings, revoke))


def cmd_rules_list(settings: Settings, _args: argparse.Namespace) -> None:
    async def listing(session: AsyncSession) -> list[str]:
        await rules.sync_defaults(session)
        names: dict[uuid.UUID | None, str] = {o.id: o.name for o in await people.organisations(session)}
        return [
            f"{r.code:<4} v{r.version}  {names.get(r.organisation_id, 'default'):<32} "
            f"{r.deadline_kind.value} {r.working_days} working days  {r.description}"
            for r in await rules.current_rules(session)
        ]

    print("\n".join(_run_in_transaction(settings, listing)))


def cmd_rules_set(settings: Settings, args: argparse.Namespace) -> None:
    async def override(session: AsyncSession) -> str:
        organisation = await people.organisation_by_name(session, args.org)
        rule = await rules.set_override(
            session,
            None,
            code=args.code.upper(),
            organisation_id=organisation.id,
            working_days=args.working_days,
        )
        return f"{rule.code} for {organisation.name} is now version {rule.version}: {rule.working_days} days."

    print(_run_in_transaction(settings, override))


@contextlib.contextmanager
def _sole(settings: Settings, what: str) -> Iterator[None]:
    """The right to run ``what`` here while the block runs, which on SQLite one process has
    (portal/background.py)."""
    held = background.hold(settings.database_url)
    if held is None:
        raise SystemExit(
            f"portal: another process (a web process) runs {what} on this SQLite database, which has one "
            "writer: stop it first, or use PostgreSQL to run workers of their own"
        )
    try:
        yield
    finally:
        held.release()


def cmd_outbox_run(settings: Settings, args: argparse.Namespace) -> None:
    from portal.mail.sender import run_forever, send_due

    async def run() -> None:
        engine = create_engine(settings.database_url)
        try:
            sessions = create_session_factory(engine)
            if args.once:
                report = await send_due(sessions, settings)
                print(f"Sent {report.sent}; {report.retried} will be tried again; {report.dead} gave up.")
                if report.dead:
                    raise SystemExit(
                        "Some email gave up: see `portal outbox status`, then `portal outbox retry`."
                    )
            else:
                await run_forever(sessions, settings, every=args.every)
        finally:
            await engine.dispose()

    with _sole(settings, "the outbox's sender"):
        asyncio.run(run())


def cmd_synth(settings: Settings, args: argparse.Namespace) -> None:
    import time

    from portal import synth  # only when asked for

    _migrate(settings)
    started = time.perf_counter()
    summary = _run_in_transaction(
        settings, lambda s: synth.generate(s, scale=args.scale, today=clock.today())
    )
    print(
        f"Generated {summary.authorities} authorities, {summary.people} people, {summary.children} children, "
        f"{summary.proceedings} sets of proceedings, {summary.contacts} contacts, "
        f"{summary.papers} court papers and {summary.obligations} obligations "
        f"in {time.perf_counter() - started:.1f} s."
    )


def cmd_clock_tick(settings: Settings, _args: argparse.Namespace) -> None:
    from portal.reminders.service import tick

    async def run() -> None:
        engine = create_engine(settings.database_url)
        try:
            report = await tick(create_session_factory(engine), settings)
        finally:
            await engine.dispose()
        print(
            f"Reminders {report.reminders}, overdue notices {report.overdue}, chasers {report.chasers}, "
            f"catch-ups {report.catch_ups}, digests {report.digests}, "
            f"dispute notices {report.dispute_notices}, referral notices {report.referral_notices}, "
            f"files swept {report.swept}."
        )

    with _sole(settings, "the clock"):
        asyncio.run(run())


# How many of the emails that gave up `portal outbox status` lists.
UNDELIVERED_SHOWN = 20


def cmd_outbox_status(settings: Settings, _args: argparse.Namespace) -> None:
    from portal.mail import repository as outbox

    async def status(session: AsyncSession) -> list[str]:
        lines = [f"{state.value}: {n}" for state, n in sorted(await outbox.count_by_state(session))]
        oldest = await outbox.oldest_waiting(session)
        if oldest is not None:
            waited = timedelta(seconds=round((utcnow() - oldest).total_seconds()))
            lines.append(f"The oldest email waiting to be sent was queued {waited} ago.")
        undelivered = [m for m, _ in await outbox.undelivered_to(session, None, UNDELIVERED_SHOWN)]
        if undelivered:
            lines.append("Gave up (the latest first; `portal outbox retry` queues them again):")
            lines += [
                f"  {m.id}  {m.kind} to {m.to_address}, queued {m.queued_at:%Y-%m-%d %H:%M} UTC, "
                f"{m.attempts} attempts: {m.last_error}"
                for m in undelivered
            ]
        return lines

    print("\n".join(_run_in_transaction(settings, status)) or "The outbox is empty.")


def cmd_outbox_retry(settings: Settings, args: argparse.Namespace) -> None:
    from portal.mail import repository as outbox

    requeued = _run_in_transaction(settings, lambda s: outbox.requeue(s, utcnow(), args.id))
    if args.id is not None and not requeued:
        raise SystemExit(f"portal: no email {args.id} gave up")
    print(f"Queued {requeued} email{'' if requeued == 1 else 's'} again, to be sent now.")


def cmd_audit_verify(settings: Settings, _args: argparse.Namespace) -> None:
    from portal.audit.chain import Verdict, verify
    from portal.audit.checkpoints import checkpoint_store

    store, keyring = checkpoint_store(settings), settings.audit_keyring

    async def check(session: AsyncSession) -> Verdict:
        try:
            latest = await store.latest()
        except ValueError as error:
            return Verdict(0, f"what {store.describe()} holds last is not a checkpoint ({error})")
        return await verify(session, keyring, latest)

    verdict: Verdict = _run_in_transaction(settings, check)
    for note in verdict.notes:
        print(note)
    if not verdict.clean:
        raise SystemExit(
            f"The audit trail is broken: {verdict.problem}. {verdict.rows} rows before it verify."
        )
    anchored = (
        f"; it matches the checkpoint of row {verdict.checkpoint.seq} in {store.describe()}"
        if verdict.checkpoint
        else ""
    )
    print(f"The audit trail verifies: {verdict.rows} rows, none altered or removed{anchored}.")


def cmd_audit_seal(settings: Settings, args: argparse.Namespace) -> None:
    from portal.audit.sealer import run_forever, sealer_for

    async def run() -> None:
        engine = create_engine(settings.database_url)
        sessions = create_session_factory(engine)
        try:
            sealer = sealer_for(sessions, settings, batch=args.batch)
            if args.forever:
                await run_forever(sealer, settings.audit_seal_every_seconds)
            sealed = await sealer.run_once(checkpoint=True)
        finally:
            await engine.dispose()
        checkpoint = f", checkpoint signed at row {sealed.checkpoint.seq}" if sealed.checkpoint else ""
        print(f"Sealed {sealed.events} events: the chain has {sealed.head} rows{checkpoint}.")

    with _sole(settings, "the audit sealer") if args.forever else contextlib.nullcontext():
        asyncio.run(run())


def cmd_audit_new_key(_settings: Settings, args: argparse.Namespace) -> None:
    from portal.audit.keys import new_entry

    print(new_entry(args.id))


def cmd_schema(_settings: Settings, _args: argparse.Namespace) -> None:
    from portal.api.schema import sdl

    sys.stdout.write(sdl())


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the web server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--demo",
        action="store_true",
        help="migrate, load the demo into an empty database and enable the demo sign-in",
    )
    serve.add_argument(
        "--migrate", action="store_true", help="migrate the database to this version first, if it is not"
    )
    serve.add_argument(
        "--workers",
        type=_positive,
        default=1,
        help="worker processes sharing the port (one per core is usual; settings from the environment)",
    )
    serve.set_defaults(func=cmd_serve)

    commands.add_parser("migrate", help="bring the database schema up to date").set_defaults(func=cmd_migrate)
    commands.add_parser("schema", help="print the GraphQL schema (SDL)").set_defaults(func=cmd_schema)
    backup = commands.add_parser(
        "backup", help="every record as of one moment, and every file they refer to, into a new folder"
    )
    backup.add_argument("--to", type=Path, required=True, help="the folder to make (new, or empty)")
    backup.set_defaults(func=cmd_backup)
    restore = commands.add_parser(
        "restore", help="put a backup back into an empty database and file store, and check it"
    )
    restore.add_argument("--from", dest="source", type=Path, required=True, help="the backup's folder")
    restore.set_defaults(func=cmd_restore)

    demo_parser = commands.add_parser("demo", help="load the demo world into an empty database")
    demo_parser.add_argument("--if-empty", action="store_true", help="do nothing if the database has data")
    demo_parser.set_defaults(func=cmd_demo)

    org = commands.add_parser("org", help="organisations").add_subparsers(dest="org_command", required=True)
    org_add = org.add_parser("add", help="add an organisation")
    org_add.add_argument("--kind", choices=sorted(ORGANISATION_KINDS), required=True)
    org_add.add_argument("--name", required=True)
    org_add.add_argument("--ons-code", help="a local authority's ONS code, e.g. E08000025")
    org_add.add_argument("--service-area", help="for a court: the Cafcass service area that serves it")
    org_add.set_defaults(func=cmd_org_add)

    user = commands.add_parser("user", help="people").add_subparsers(dest="user_command", required=True)
    user_add = user.add_parser("add", help="add a person")
    user_add.add_argument("--org", required=True, help="the organisation's name")
    user_add.add_argument("--name", required=True)
    user_add.add_argument("--email", required=True)
    user_add.add_argument(
        "--role",
        action="append",
        required=True,
        choices=[r.value for r in Role],
        help="repeat for several roles",
    )
    user_add.add_argument("--team", help="the team they work in (created the first time it is named)")
    _account_arguments(user_add, required=False)
    user_add.set_defaults(func=cmd_user_add)
    user_invite = user.add_parser(
        "invite",
        help="name a person's account at a sign-in service, to sign in with even if the service does not "
        "confirm their email address (in place of any account they had there)",
    )
    user_invite.add_argument("--email", required=True, help="the person's email address in the portal")
    _account_arguments(user_invite, required=True)
    user_invite.set_defaults(func=cmd_user_invite)

    rule = commands.add_parser("rules", help="the protocol's obligation rules").add_subparsers(
        dest="rules_command", required=True
    )
    rule.add_parser("list", help="the rules in force, defaults and overrides").set_defaults(
        func=cmd_rules_list
    )
    rule_set = rule.add_parser("set", help="override a rule's deadline for one authority or service area")
    rule_set.add_argument("--code", required=True, help="e.g. P2")
    rule_set.add_argument("--org", required=True, help="the local authority's or service area's name")
    rule_set.add_argument("--working-days", type=int, required=True)
    rule_set.set_defaults(func=cmd_rules_set)

    outbox = commands.add_parser("outbox", help="the email outbox").add_subparsers(
        dest="outbox_command", required=True
    )
    outbox_run = outbox.add_parser("run", help="send the outbox's email, retrying what fails")
    outbox_run.add_argument("--once", action="store_true", help="send what is due now, then stop")
    outbox_run.add_argument("--every", type=float, default=10, help="seconds between rounds")
    outbox_run.set_defaults(func=cmd_outbox_run)
    outbox_retry = outbox.add_parser("retry", help="queue the email that gave up again")
    outbox_retry.add_argument(
        "--id", type=uuid.UUID, help="only this email (its id, from `portal outbox status`)"
    )
    outbox_retry.set_defaults(func=cmd_outbox_retry)
    outbox.add_parser("status", help="how many emails wait, were sent, or gave up, and why").set_defaults(
        func=cmd_outbox_status
    )

    synth = commands.add_parser("synth", help="generate a synthetic national dataset (for benchmarks)")
    synth.add_argument("--scale", type=float, default=1.0, help="1 is sized like England")
    synth.set_defaults(func=cmd_synth)

    clock_commands = commands.add_parser(
        "clock", help="reminders, overdue notices and digests"
    ).add_subparsers(dest="clock_command", required=True)
    clock_commands.add_parser(
        "tick", help="send what is due now (for cron); safe to run alongside the web processes"
    ).set_defaults(func=cmd_clock_tick)

    audit = commands.add_parser("audit", help="the audit trail").add_subparsers(
        dest="audit_command", required=True
    )
    audit.add_parser(
        "verify",
        help="check that no audit event was altered, removed or added, against the latest checkpoint",
    ).set_defaults(func=cmd_audit_verify)
    audit_seal = audit.add_parser("seal", help="chain the events waiting to be sealed and sign a checkpoint")
    audit_seal.add_argument("--forever", action="store_true", help="keep sealing (when web processes do not)")
    audit_seal.add_argument(
        "--batch", type=int, default=BATCH, help=f"events sealed in each transaction (default {BATCH})"
    )
    audit_seal.set_defaults(func=cmd_audit_seal)
    new_key = audit.add_parser(
        "new-key", help="print a new audit key entry: put it first in the keyring to rotate to it"
    )
    new_key.add_argument("--id", required=True, help="the key's name, e.g. 2027-01")
    new_key.set_defaults(func=cmd_audit_new_key)

    token = commands.add_parser("token", help="API tokens").add_subparsers(
        dest="token_command", required=True
    )
    token_create = token.add_parser("create", help="create an API token and print it (only its hash is kept)")
    token_create.add_argument("--email", required=True)
    token_create.add_argument("--label", default="", help="what the token is for")
    token_create.add_argument(
        "--expires-days", type=int, default=90, help="0 for a token that does not expire"
    )
    token_create.add_argument(
        "--scope",
        action="append",
        choices=[p.value for p in Permission],
        help="what the token may do; repeat for several (default: case:read)",
    )
    token_list = token.add_parser("list", help="a person's tokens, live and ended")
    token_list.add_argument("--email", required=True)
    token_list.set_defaults(func=cmd_token_list)
    token_revoke = token.add_parser("revoke", help="revoke a token")
    token_revoke.add_argument("--email", required=True)
    token_revoke.add_argument("--id", required=True, help="the token's id, from `token list`")
    token_revoke.set_defaults(func=cmd_token_revoke)
    token_create.set_defaults(func=cmd_token_create)
    return parser


def _account_arguments(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument(
        "--provider", required=required, help="the sign-in service, by its name in PORTAL_OIDC_PROVIDERS"
    )
    parser.add_argument(
        "--subject",
        required=required,
        help="the person's account there, for good: its subject_claims' values separated by '/' (their "
        "'sub'; for Microsoft Entra ID, the tenant id and their object id)",
    )


def main(argv: list[str] | None = None) -> None:
    # Whatever the portal creates (the database, blobs, keys, checkpoints, temporary files) is its user's
    # alone, whatever umask it was started with.
    os.umask(0o077)
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
        args.func(settings, args)
    except (SettingsError, ValidationError, KeyringError) as error:
        raise SystemExit(f"portal: the settings are not valid: {error}") from None
    except DomainError as error:
        for problem in error.problems:
            print(f"portal: {problem.message} [{problem.code}]", file=sys.stderr)
        raise SystemExit(2) from None
    except DBAPIError as error:
        raise SystemExit(f"portal: {database_problem(error)}") from None
    except KeyboardInterrupt:
        # Ctrl-C (SIGINT) stops a sender, a sealer or a server: what it was doing is safe to cut short.
        raise SystemExit(130) from None


def database_problem(error: DBAPIError) -> str:
    """One line for a command the database refused: most often, one run before `portal migrate`."""
    detail = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
    if "no such table" in detail or ("relation" in detail and "does not exist" in detail):
        return "the database has no portal tables yet (or an older version's): run `portal migrate` first"
    return f"the database refused the command ({detail}); check PORTAL_DATABASE_URL and that it is running"


if __name__ == "__main__":
    main()
