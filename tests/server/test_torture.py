"""Torture, short form: no WhatsApp message lost or handled twice while the web server and the
task consumer are killed with SIGKILL at random moments (bench/torture.py is the long form).

One run per backend serves the module's tests: on SQLite without DATABASE_URL; with it, on a
database of its own on that server and a redis-server of the run's own, which is also killed
and started again empty. Find them with `pytest -k torture`; each run takes about three
minutes, most of it waiting for the consumer's leases and sweeps to take up what the kills
left behind.
"""

import os

import pytest
from torture import Options, Result, run, table

POSTGRES = os.environ.get("DATABASE_URL", "")
DELIVERIES = 300
KILLS = 2  # of each process, at least


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(
            "sqlite",
            marks=pytest.mark.skipif(bool(POSTGRES), reason="run on the pass without DATABASE_URL"),
        ),
        pytest.param(
            "postgres", marks=pytest.mark.skipif(not POSTGRES, reason="DATABASE_URL is not set")
        ),
    ],
)
def tortured(request, tmp_path_factory) -> Result:
    result = run(
        Options(
            deliveries=DELIVERIES,
            kills_between=(3.0, 8.0),
            outages_between=(6.0, 12.0),
            min_kills=KILLS,
            quiet_seconds=5.0,
            backend=request.param,
            database_url=POSTGRES,
            seed=7,
            workdir=tmp_path_factory.mktemp(f"torture-{request.param}"),
        )
    )
    print(table(result))
    return result


def test_torture_every_delivery_is_acknowledged_while_both_processes_are_killed(tortured):
    assert tortured.acknowledged == tortured.deliveries == DELIVERIES, table(tortured)
    assert tortured.kills["web server"] >= KILLS and tortured.kills["task consumer"] >= KILLS
    assert tortured.posts > tortured.deliveries  # copies and retries: the duplicates were sent


def test_torture_no_message_is_lost(tortured):
    assert tortured.stored >= tortured.messages > tortured.deliveries  # some carried several
    assert tortured.lost == 0, table(tortured)
    if tortured.database is not None:
        assert tortured.database["lost"] == 0


def test_torture_no_message_is_stored_or_answered_twice(tortured):
    assert tortured.duplicated_messages == 0 and tortured.unexpected == 0
    assert tortured.duplicated_replies == 0, table(tortured)
    if tortured.database is not None:
        assert tortured.database["stored_twice"] == 0
        assert tortured.database["rows"] == tortured.messages


def test_torture_every_person_gets_exactly_one_reply(tortured):
    assert tortured.missing_replies == 0, table(tortured)
    assert tortured.replies_received == tortured.messages
    assert not any((tortured.unfinished or {}).values()), tortured.unfinished
