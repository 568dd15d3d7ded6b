"""The database refuses to delete an audit entry, except to the log's own retention
(privacy.append_only.deletions_permitted)."""

from django.db import migrations

SQLITE = """
CREATE TRIGGER privacy_auditentry_no_delete
BEFORE DELETE ON privacy_auditentry
WHEN ventanilla_audit_purge() = 0
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
"""
POSTGRESQL = """
CREATE OR REPLACE FUNCTION privacy_auditentry_refuse_delete() RETURNS trigger AS $$
BEGIN
    IF current_setting('ventanilla.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER privacy_auditentry_no_delete
BEFORE DELETE ON privacy_auditentry
FOR EACH ROW EXECUTE FUNCTION privacy_auditentry_refuse_delete();
"""
DROP = {
    "sqlite": "DROP TRIGGER IF EXISTS privacy_auditentry_no_delete;",
    "postgresql": (
        "DROP TRIGGER IF EXISTS privacy_auditentry_no_delete ON privacy_auditentry;"
        "DROP FUNCTION IF EXISTS privacy_auditentry_refuse_delete();"
    ),
}


def create_trigger(apps, schema_editor):
    sql = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(schema_editor.connection.vendor)
    if sql is None:
        raise RuntimeError("ventanilla supports SQLite and PostgreSQL only")
    schema_editor.execute(sql)


def drop_trigger(apps, schema_editor):
    schema_editor.execute(DROP[schema_editor.connection.vendor])


class Migration(migrations.Migration):
    dependencies = [("privacy", "0004_audit_desk")]
    operations = [migrations.RunPython(create_trigger, drop_trigger)]
