"""The API against generated requests: every operation of /api/openapi.json, with requests
that schemathesis draws from the document (and beyond it: any path parameter, any value
in a field), sent with a token of each role to the demo desk of tests/matrix_world.py.

No request may make the API fail (a 500 or an exception); every refusal is a JSON
{"error", "detail"}; and a refused request stores nothing. Each request runs in a
transaction undone afterwards, so each meets the same desk.

The suite draws a few requests per operation and role, the same ones each run (so that a
run is red only for a change of the code). To look harder, with new requests each time:

    VENTANILLA_FUZZ_EXAMPLES=200 VENTANILLA_FUZZ_RANDOM=1 \\
        .venv/bin/pytest -q tests/api/test_fuzzing.py
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import urlencode

import pytest
import schemathesis
from django.apps import apps
from django.db import connection, transaction
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matrix_world import World, build_world, fresh_cache_prefix
from ventanilla.api.app import api

EXAMPLES = int(os.environ.get("VENTANILLA_FUZZ_EXAMPLES", "4"))
DRAWING = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=not os.environ.get("VENTANILLA_FUZZ_RANDOM"),
    suppress_health_check=list(HealthCheck),
)
ROLES = ("admin", "supervisor", "agent", "volunteer", "analyst")
NOT_COUNTED = {"privacy.auditentry"}  # a refusal may be recorded: that is the point


def stored() -> dict[str, int]:
    """How many rows each of ventanilla's tables holds, in one query."""
    models = [
        model
        for model in apps.get_models()
        if model.__module__.startswith("ventanilla.")
        and model._meta.label_lower not in NOT_COUNTED
        and not model._meta.proxy
        and model._meta.db_table in connection.introspection.table_names()
    ]
    sql = " UNION ALL ".join(
        f"SELECT '{model._meta.label_lower}', COUNT(*) FROM {model._meta.db_table}"  # noqa: S608
        for model in models
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def send(world: World, role: str, case: Any) -> Any:
    client = world.client(role, api=True)
    path = case.formatted_path
    if case.query:
        path += "?" + urlencode(case.query, doseq=True)
    media = case.media_type or "application/json"
    if case.body is None or case.method.upper() == "GET":
        return client.generic(case.method.upper(), path)
    if media.startswith("multipart/"):
        fields = case.body if isinstance(case.body, dict) else {}
        body = encode_multipart(BOUNDARY, {k: v for k, v in fields.items() if v is not None})
        return client.generic(case.method.upper(), path, body, MULTIPART_CONTENT)
    try:
        body = json.dumps(case.body).encode("utf-8", "surrogatepass")
    except (TypeError, ValueError):
        body = str(case.body).encode("utf-8", "surrogatepass")
    return client.generic(case.method.upper(), path, body, media)


def operations() -> list[Any]:
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    return [result.ok() for result in schema.get_all_operations()]


def draw(world: World, role: str, operation: Any, before: dict[str, int]) -> list[str]:
    """Send the requests drawn for one operation as `role`; what went wrong."""
    failures: list[str] = []
    names = [p.name for p in operation.path_parameters]

    @DRAWING
    @given(case=operation.as_strategy(), ours=st.booleans())
    def run(case: Any, ours: bool) -> None:
        if ours and names:  # the desk's own objects, to reach past the look-ups
            filled = world.fill(operation.path, role, restricted=False)
            case.path_parameters = {name: filled.get(name, "x") for name in names}
        where = f"{role} {case.method.upper()} {case.formatted_path}"
        fresh_cache_prefix()
        with transaction.atomic():
            try:
                response = send(world, role, case)
            except Exception as error:  # the view raised: the client re-raises it
                failures.append(f"{where}: {type(error).__name__}: {error}")
                transaction.set_rollback(True)
                return
            after = stored() if response.status_code >= 400 else before
            transaction.set_rollback(True)
        if response.status_code >= 500:
            failures.append(f"{where}: {response.status_code}")
        elif response.status_code >= 400:
            answer = response.json() if response.content else {}
            if not {"error", "detail"} <= set(answer):
                failures.append(f"{where}: {response.status_code} {answer!r:.200}")
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            if changed:
                failures.append(f"{where}: refused ({response.status_code}), kept {changed}")

    run()
    return failures


@pytest.mark.parametrize("role", ROLES)
def test_no_request_makes_the_api_fail_or_keeps_what_it_refused(db, role):
    world = build_world()
    before = stored()
    failures = [failure for op in operations() for failure in draw(world, role, op, before)]
    assert failures == [], "\n".join(failures[:40])
