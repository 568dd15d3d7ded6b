"""The database itself refuses to alter an audit entry once written."""

from django.db import migrations

SQLITE = """
CREATE TRIGGER privacy_auditentry_append_only
BEFORE UPDATE ON privacy_auditentry
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
"""
POSTGRESQL = """
CREATE OR REPLACE FUNCTION privacy_auditentry_refuse_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER privacy_auditentry_append_only
BEFORE UPDATE ON privacy_auditentry
FOR EACH ROW EXECUTE FUNCTION privacy_auditentry_refuse_update();
"""
DROP = {
    "sqlite": "DROP TRIGGER IF EXISTS privacy_auditentry_append_only;",
    "postgresql": (
        "DROP TRIGGER IF EXISTS privacy_auditentry_append_only ON privacy_auditentry;"
        "DROP FUNCTION IF EXISTS privacy_auditentry_refuse_update();"
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
    dependencies = [("privacy", "0001_initial")]
    operations = [migrations.RunPython(create_trigger, drop_trigger)]
