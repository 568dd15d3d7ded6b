"""`ventanilla backup` and `ventanilla restore` as an administrator runs them: the demo
installation backed up, restored into a new installation with the same keys, and compared
with it table by table and file by file."""

import os
import shutil
import sqlite3
import threading
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from django.db import connection

from running import Running, command, fresh_environment, migrated_environment
from server.test_run import DEMO_NUMBERS, DEMO_WORDS
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.media import attach
from ventanilla.privacy.backup import back_up
from ventanilla.privacy.models import AuditEntry
from ventanilla.privacy.services import audit

# A PDF of a few chunks of the cipher (64 KiB each), as a person would send a scan.
DOCUMENT = b"%PDF-1.4\n" + bytes(range(256)) * 800
# Not copied, by design: Django's record of migrations (each installation keeps its own;
# a restore checks that they name the same ones) and the sessions. SQLite's full-text index
# is compared by searching.
NOT_COMPARED = (
    "django_migrations",
    "django_session",
    "conversations_searchentry_fts_",
    "sqlite_sequence",  # compared on its own, as PostgreSQL's sequences are
)

DATABASE_FILES = ("ventanilla.sqlite3", "ventanilla-intake.sqlite3")  # SQLite
REMOVE_LAST_RULE = (
    "from ventanilla.triage.models import RoutingRule\n"
    "from ventanilla.triage.rules import remove_rule\n"
    "remove_rule(rule=RoutingRule.objects.order_by('pk').last(), by=None)\n"
)

installation = contextmanager(fresh_environment)
copy_of_a_migrated_one = contextmanager(migrated_environment)


@dataclass
class Demo:
    env: dict[str, str]
    backup: Path  # taken with the service stopped
    busy_backup: Path  # taken while messages were being written
    busy_output: str
    conversations: int
    conversation: int  # the web chat conversation the document was sent in
    attachment: int


def with_keys_of(env: dict[str, str], source: dict[str, str]) -> dict[str, str]:
    """`env`'s home given the keys of `source`'s, before its first start."""
    home = Path(env["VENTANILLA_HOME"])
    home.mkdir(mode=0o700, exist_ok=True)
    for name in ("data_key", "secret_key"):
        shutil.copy(Path(source["VENTANILLA_HOME"]) / name, home / name)
    return env


def stored_rows(env: dict[str, str]) -> dict[str, list[Any]]:
    """Every table of the installation, its rows as stored, sorted."""
    found: dict[str, list[Any]] = {}
    if "DATABASE_URL" in env:
        with psycopg.connect(env["DATABASE_URL"]) as db:
            names = db.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            ).fetchall()
            for (name,) in names:
                if not name.startswith(NOT_COMPARED):
                    rows = db.execute(f'SELECT * FROM "{name}"')  # noqa: S608 (catalogued)
                    found[name] = sorted(rows, key=repr)
        return found
    home = Path(env["VENTANILLA_HOME"])
    for file in DATABASE_FILES:
        with closing(sqlite3.connect(f"file:{home / file}?mode=ro", uri=True)) as db:
            names = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            for (name,) in names.fetchall():
                if not name.startswith(NOT_COMPARED):
                    rows = db.execute(f'SELECT * FROM "{name}"')  # noqa: S608 (catalogued)
                    found[name] = sorted(rows.fetchall(), key=repr)
    return found


def last_ids(env: dict[str, str]) -> dict[str, int]:
    """The last id each table's sequence gave (0: none yet), by table."""
    if "DATABASE_URL" in env:
        with psycopg.connect(env["DATABASE_URL"]) as db:
            found = db.execute("SELECT sequencename, last_value FROM pg_sequences")
            return {name.removesuffix("_id_seq"): value or 0 for name, value in found}
    home, ids = Path(env["VENTANILLA_HOME"]), {}
    for file in DATABASE_FILES:
        with closing(sqlite3.connect(f"file:{home / file}?mode=ro", uri=True)) as db:
            ids.update(db.execute("SELECT name, seq FROM sqlite_sequence").fetchall())
    return ids


def media_files(env: dict[str, str]) -> dict[str, bytes]:
    root = Path(env["VENTANILLA_HOME"]) / "media"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def counts_printed(output: str) -> dict[str, int]:
    """`conversations_message: 16 rows` lines, as a dict."""
    return {
        line.split(": ")[0]: int(line.split(": ")[1].split()[0])
        for line in output.splitlines()
        if line.endswith(" rows")
    }


def admin_token(env: dict[str, str]) -> str:
    made = command(env, "token", "backup-tester", "--role", "admin", "--desk", "demo")
    assert made.returncode == 0, made.stderr
    return made.stdout.strip()


def download(server: Running, token: str, conversation: int, attachment: int) -> bytes:
    return httpx.get(
        f"{server.url}/api/v1/conversations/{conversation}/attachments/{attachment}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).content


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo installation, with a document sent; a backup taken while messages are
    written, then one with the service stopped."""
    folder = tmp_path_factory.mktemp("demo")
    with installation(folder / "home") as env:
        server = Running(env, "--demo")
        token = admin_token(env)
        page = server.request("GET", "/api/v1/conversations?desk=demo", token=token)[1]
        chat = next(c["id"] for c in page["items"] if c["channel_type"] == "webchat")
        sent = httpx.post(
            f"{server.url}/api/v1/conversations/{chat}/attachments",
            files={"file": ("pasaporte.pdf", DOCUMENT, "application/pdf")},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert sent.status_code == 201, sent.text
        assert download(server, token, chat, sent.json()["attachments"][0]["id"]) == DOCUMENT

        written, stop = [], threading.Event()

        def write() -> None:
            while not stop.is_set():
                path = f"/api/v1/conversations/{chat}/messages"
                status, _ = server.request("POST", path, {"text": "Seguimos."}, token=token)
                written.append(status)

        writer = threading.Thread(target=write)
        writer.start()
        while len(written) < 3:
            stop.wait(0.05)
        busy = command(env, "backup", str(folder / "busy.backup"))
        during = len(written)
        while len(written) < during + 3:
            stop.wait(0.05)
        stop.set()
        writer.join()
        assert busy.returncode == 0, busy.stderr
        assert set(written) == {201}
        assert server.stop() == 0
        # Rows removed leave ids a restore must not give again: the last routing rule,
        # removed as an administrator does.
        removed = command(env, "shell", "-c", REMOVE_LAST_RULE)
        assert removed.returncode == 0, removed.stderr

        quiet = command(env, "backup", str(folder / "demo.backup"))
        assert quiet.returncode == 0, quiet.stderr
        yield Demo(
            env=env,
            backup=folder / "demo.backup",
            busy_backup=folder / "busy.backup",
            busy_output=busy.stdout,
            conversations=page["count"],
            conversation=chat,
            attachment=sent.json()["attachments"][0]["id"],
        )


def test_a_backup_restored_into_a_new_installation_is_the_same_table_by_table_and_file_by_file(
    demo, tmp_path
):
    with installation(tmp_path / "home") as env:
        with_keys_of(env, demo.env)
        migrated = command(env, "migrate")
        assert migrated.returncode == 0, migrated.stderr
        restored = command(env, "restore", str(demo.backup))
        assert restored.returncode == 0, restored.stderr
        assert "conversations_message: " in restored.stdout
        assert "Restored from" in restored.stdout

        restored_rows, source_rows = stored_rows(env), stored_rows(demo.env)
        assert restored_rows.keys() == source_rows.keys()
        for table, rows in source_rows.items():
            assert restored_rows[table] == rows, table
        restored_ids, source_ids = last_ids(env), last_ids(demo.env)
        rules = source_rows["conversations_routingrule"]
        assert source_ids["conversations_routingrule"] > max(rule[0] for rule in rules)
        never_again = {  # an id once given is never given again: an audit entry names it
            name: (restored_ids.get(name, 0), last)
            for name, last in source_ids.items()
            if not name.startswith(NOT_COMPARED) and restored_ids.get(name, 0) < last
        }
        assert not never_again
        assert media_files(env) == media_files(demo.env)
        assert len(media_files(env)) == 1

        server = Running(env)
        token = admin_token(env)
        page = server.request("GET", "/api/v1/conversations?desk=demo", token=token)[1]
        assert page["count"] == demo.conversations == 13
        found = server.request("GET", "/api/v1/conversations?q=empleador", token=token)[1]
        assert found["count"] == 1  # the search index, rebuilt as the rows went in
        path = f"/api/v1/conversations/{found['items'][0]['id']}/messages"
        texts = [m["text"] for m in server.request("GET", path, token=token)[1]]
        assert any(DEMO_WORDS[0] in text for text in texts)
        assert download(server, token, demo.conversation, demo.attachment) == DOCUMENT
        assert server.stop() == 0


def test_a_backup_taken_while_messages_are_written_restores_whole(demo, tmp_path):
    backed_up = counts_printed(demo.busy_output)
    assert backed_up["conversations_message"] < len(stored_rows(demo.env)["conversations_message"])
    with copy_of_a_migrated_one(tmp_path / "home") as env:
        restored = command(with_keys_of(env, demo.env), "restore", str(demo.busy_backup))
        assert restored.returncode == 0, restored.stderr
        assert counts_printed(restored.stdout) == backed_up
        stored = stored_rows(env)
        assert {table: len(stored[table]) for table in backed_up} == backed_up


@pytest.mark.django_db(transaction=True)
def test_what_is_written_while_a_backup_reads_is_left_to_the_next_backup(desk, tmp_path):
    audit(actor=None, action="desk.update", target=desk)
    printed: list[str] = []

    def write_meanwhile() -> None:
        audit(actor=None, action="desk.update", target=desk)
        connection.close()

    def report(line: str) -> None:
        printed.append(line)
        if len(printed) == 1:  # a first table read, the audit log not yet: someone writes
            writer = threading.Thread(target=write_meanwhile)
            writer.start()
            writer.join()

    done = back_up(path=tmp_path / "backup", report=report)
    assert "privacy_auditentry: 1 rows" in printed
    assert AuditEntry.objects.count() == 2
    assert done.rows == sum(counts_printed("\n".join(printed)).values())


@pytest.mark.django_db(transaction=True)
def test_a_file_a_row_names_but_missing_from_the_media_folder_is_reported_not_fatal(
    webchat, make_inbound, settings, tmp_path
):
    message = receive(channel=webchat, inbound=make_inbound(scheme="webchat", address="v-1"))
    kept = attach(
        message=message.message, content=DOCUMENT, mime_type="application/pdf", filename="a.pdf"
    )
    (Path(settings.MEDIA_ROOT) / kept.file.name).unlink()
    done = back_up(path=tmp_path / "backup", report=lambda line: None)
    assert done.missing == [kept.file.name]
    assert done.files == 0 and (tmp_path / "backup").exists()


def test_the_backup_holds_no_text_or_number_in_clear(demo):
    for backup in (demo.backup, demo.busy_backup):
        content = backup.read_bytes()
        assert backup.stat().st_mode & 0o777 == 0o600
        secrets = [w.encode() for w in DEMO_WORDS] + [n.encode() for n in DEMO_NUMBERS]
        assert not [s for s in secrets if s in content]
        assert b"conversations_message" not in content  # nothing at all is in clear
        (stored,) = media_files(demo.env).values()  # the document, as encrypted on disk...
        assert stored[1000:2000] not in content  # ...is encrypted again in the backup


def test_a_restore_without_the_keys_it_was_made_with_is_refused(demo, tmp_path):
    with copy_of_a_migrated_one(tmp_path / "home") as env:
        before = stored_rows(env)
        refused = command(env, "restore", str(demo.backup))
        assert refused.returncode != 0
        assert "encrypted with the data key" in refused.stderr
        assert "restored with the data keys of the installation that made it" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert stored_rows(env) == before


def test_a_restore_into_an_installation_with_data_is_refused_and_changes_nothing(demo):
    before, files = stored_rows(demo.env), media_files(demo.env)
    refused = command(demo.env, "restore", str(demo.backup))
    assert refused.returncode != 0
    assert "holds data already" in refused.stderr and "Traceback" not in refused.stderr
    assert stored_rows(demo.env) == before
    assert media_files(demo.env) == files


def test_a_backup_cut_short_is_refused_and_changes_nothing(demo, tmp_path):
    cut = tmp_path / "cut.backup"
    content = demo.backup.read_bytes()
    cut.write_bytes(content[: len(content) * 2 // 3])  # in the media file, after the tables
    with copy_of_a_migrated_one(tmp_path / "home") as env:
        before = stored_rows(with_keys_of(env, demo.env))
        refused = command(env, "restore", str(cut))
        assert refused.returncode != 0
        assert "damaged or cut short: nothing was restored" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert stored_rows(env) == before
        assert media_files(env) == {}
        assert command(env, "restore", str(demo.backup)).returncode == 0  # and still can be


def test_a_restore_into_an_installation_not_migrated_or_of_a_file_not_a_backup_is_refused(
    demo, tmp_path
):
    with installation(tmp_path / "home") as env:
        refused = command(with_keys_of(env, demo.env), "restore", str(demo.backup))
        assert refused.returncode != 0
        assert "run `ventanilla migrate`" in refused.stderr
        not_a_backup = command(env, "restore", str(Path(env["VENTANILLA_HOME"]) / "data_key"))
        assert "not a ventanilla backup" in not_a_backup.stderr
        missing = command(env, "restore", str(tmp_path / "nothing.backup"))
        assert missing.returncode != 0 and "no such file" in missing.stderr


def test_an_existing_file_is_replaced_only_with_force(demo, tmp_path):
    existing = tmp_path / "kept.backup"
    existing.write_bytes(b"an older backup")
    refused = command(demo.env, "backup", str(existing))
    assert refused.returncode != 0
    assert "exists already" in refused.stderr and "--force" in refused.stderr
    assert existing.read_bytes() == b"an older backup"
    assert os.listdir(tmp_path) == ["kept.backup"]  # no partial file left

    forced = command(demo.env, "backup", str(existing), "--force")
    assert forced.returncode == 0, forced.stderr
    assert "Backup written to" in forced.stdout and "media files: 1" in forced.stdout
    assert existing.read_bytes()[:5] == b"VTNF2"
    assert existing.stat().st_mode & 0o777 == 0o600
    assert os.listdir(tmp_path) == ["kept.backup"]
