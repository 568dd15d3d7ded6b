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

from running import Running, command, fresh_environment, migrated_environment
from server.test_run import DEMO_NUMBERS, DEMO_WORDS

# A PDF of a few chunks of the cipher (64 KiB each), as a person would send a scan.
DOCUMENT = b"%PDF-1.4\n" + bytes(range(256)) * 800
# Not copied, by design: Django's record of migrations (each installation keeps its own,
# compared by name below) and the sessions; SQLite's full-text index is compared by use.
NOT_COMPARED = ("django_migrations", "django_session", "conversations_searchentry_fts_")

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
    """Every table of the installation, its rows as stored, sorted; and the sequences."""
    found: dict[str, list[Any]] = {}
    if "DATABASE_URL" in env:
        with psycopg.connect(env["DATABASE_URL"]) as db:
            names = db.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            ).fetchall()
            for (name,) in names:
                if not name.startswith(NOT_COMPARED):
                    found[name] = sorted(db.execute(f'SELECT * FROM "{name}"'), key=repr)
            sequences = db.execute("SELECT sequencename, last_value FROM pg_sequences")
            found["(sequences)"] = sorted(s for s in sequences if not s[0].startswith("django_"))
        return found
    home = Path(env["VENTANILLA_HOME"])
    for file in ("ventanilla.sqlite3", "ventanilla-intake.sqlite3"):
        with closing(sqlite3.connect(f"file:{home / file}?mode=ro", uri=True)) as db:
            names = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            for (name,) in names.fetchall():
                if not name.startswith(NOT_COMPARED):
                    rows = db.execute(f'SELECT * FROM "{name}"').fetchall()
                    if name == "sqlite_sequence":
                        rows = [r for r in rows if not r[0].startswith(NOT_COMPARED)]
                    found[f"{file}:{name}"] = sorted(rows, key=repr)
    return found


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


def row_count(env: dict[str, str], table: str) -> int:
    if "DATABASE_URL" in env:
        with psycopg.connect(env["DATABASE_URL"]) as db:
            return int(db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0])
    home = Path(env["VENTANILLA_HOME"])
    file = "ventanilla-intake.sqlite3" if table == "channels_delivery" else "ventanilla.sqlite3"
    with closing(sqlite3.connect(home / file)) as db:
        return int(db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0])


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

        assert stored_rows(env) == stored_rows(demo.env)
        assert media_files(env) == media_files(demo.env)
        assert len(media_files(env)) == 1

        server = Running(env)
        token = admin_token(env)
        page = server.request("GET", "/api/v1/conversations?desk=demo", token=token)[1]
        assert page["count"] == demo.conversations == 7
        found = server.request("GET", "/api/v1/conversations?q=empleador", token=token)[1]
        assert found["count"] == 1  # the search index, rebuilt as the rows went in
        path = f"/api/v1/conversations/{found['items'][0]['id']}/messages"
        texts = [m["text"] for m in server.request("GET", path, token=token)[1]]
        assert any(DEMO_WORDS[0] in text for text in texts)
        assert download(server, token, demo.conversation, demo.attachment) == DOCUMENT
        assert server.stop() == 0


def test_a_backup_taken_while_messages_are_written_restores_whole(demo, tmp_path):
    backed_up = counts_printed(demo.busy_output)
    assert backed_up["conversations_message"] < row_count(demo.env, "conversations_message")
    with copy_of_a_migrated_one(tmp_path / "home") as env:
        restored = command(with_keys_of(env, demo.env), "restore", str(demo.busy_backup))
        assert restored.returncode == 0, restored.stderr
        assert counts_printed(restored.stdout) == backed_up
        for table in ("conversations_message", "privacy_auditentry", "conversations_searchentry"):
            assert row_count(env, table) == backed_up[table]


def test_the_backup_holds_no_text_or_number_in_clear(demo):
    for backup in (demo.backup, demo.busy_backup):
        content = backup.read_bytes()
        assert backup.stat().st_mode & 0o777 == 0o600
        secrets = [w.encode() for w in DEMO_WORDS] + [n.encode() for n in DEMO_NUMBERS]
        assert not [s for s in secrets if s in content]
        assert b"conversations_message" not in content  # nothing at all is in clear
        assert DOCUMENT[:4096] not in content


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


def test_a_backup_of_another_version_or_into_an_installation_not_migrated_is_refused(
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
