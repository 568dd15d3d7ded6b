"""The database refuses to change or remove an entry of the complaints register, but for
removing its text with the conversation's content (retention, erasure). On SQLite, the test
suite's emptying of tables between tests is let through as the audit log's is
(privacy.append_only)."""

from django.db import migrations

SQLITE = """
CREATE TRIGGER accountability_entry_no_delete
BEFORE DELETE ON accountability_entry
WHEN ventanilla_audit_purge() = 0
BEGIN
    SELECT RAISE(ABORT, 'the complaints register is append-only');
END;
CREATE TRIGGER accountability_entry_no_update
BEFORE UPDATE ON accountability_entry
WHEN NOT (
    NEW.text = '' AND NEW.id = OLD.id AND NEW.complaint_id = OLD.complaint_id
    AND NEW.kind = OLD.kind AND NEW.changes IS OLD.changes AND NEW.by_id IS OLD.by_id
    AND NEW.at = OLD.at
)
BEGIN
    SELECT RAISE(ABORT, 'the complaints register is append-only');
END;
"""
POSTGRESQL = """
CREATE OR REPLACE FUNCTION accountability_entry_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.text = '' AND NEW.id = OLD.id
        AND NEW.complaint_id = OLD.complaint_id AND NEW.kind = OLD.kind
        AND NEW.changes IS NOT DISTINCT FROM OLD.changes
        AND NEW.by_id IS NOT DISTINCT FROM OLD.by_id AND NEW.at = OLD.at THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the complaints register is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accountability_entry_append_only
BEFORE UPDATE OR DELETE ON accountability_entry
FOR EACH ROW EXECUTE FUNCTION accountability_entry_guard();
"""
DROP = {
    "sqlite": (
        "DROP TRIGGER IF EXISTS accountability_entry_no_delete;"
        "DROP TRIGGER IF EXISTS accountability_entry_no_update;"
    ),
    "postgresql": (
        "DROP TRIGGER IF EXISTS accountability_entry_append_only ON accountability_entry;"
        "DROP FUNCTION IF EXISTS accountability_entry_guard();"
    ),
}


def create_triggers(apps, schema_editor):
    sql = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(schema_editor.connection.vendor)
    if sql is None:
        raise RuntimeError("ventanilla supports SQLite and PostgreSQL only")
    if schema_editor.connection.vendor == "sqlite":
        for statement in sql.split("END;")[:-1]:  # one statement at a time
            schema_editor.execute(statement + "END;")
    else:
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    for statement in DROP[schema_editor.connection.vendor].split(";"):
        if statement.strip():
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("accountability", "0001_initial"), ("privacy", "0005_audit_refuses_delete")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
