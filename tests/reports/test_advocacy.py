"""Anonymised trends for advocacy: the dataset holds metadata only, by whole weeks, and leaves
out every group smaller than the desk's k; an analyst who tries to single out the one person
whose conversation is unlike the others (by its rare values, by a period a day shorter, by a
smaller k, by another desk's view) learns nothing of them. And the recurring questions: the
topics and the groups of unanswered questions that grow week over week, never a question as
someone wrote it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine

from ventanilla.conversations import services
from ventanilla.conversations.inbound import receive
from ventanilla.desks.models import RequestType
from ventanilla.knowledge.gaps import record_gap
from ventanilla.reports import advocacy

MADRID = ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)
MONDAY = date(2026, 3, 16)  # the week of 16 to 22 March


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=MADRID)


@pytest.fixture
def weeks(desk, webchat, sms, make_inbound, agent):
    """Two weeks of a Madrid desk: in the first, seven alike conversations (web chat,
    Spanish, passports, answered) and one unlike any other (an SMS from a Moroccan number, in
    Tamazight, about asylum, not yet answered, on Wednesday 18 March at 02:00); in the
    second, six alike, one of them opened on Monday 23 March at 00:30 in Madrid (Sunday in
    UTC: the week is the desk's)."""
    desk.timezone = "Europe/Madrid"
    desk.save()
    conditions = RequestType.objects.get(desk=desk, slug="conditions")
    made = []

    def open_one(channel, address, moment, language, topic, outcome):
        scheme = "webchat" if channel == webchat else "tel"
        with time_machine.travel(moment, tick=False):
            inbound = make_inbound(scheme=scheme, address=address, text="Hola")
            conversation = receive(channel=channel, inbound=inbound).message.conversation
            services.classify(
                conversation=conversation,
                by=None,
                request_type=conditions,
                language=language,
                topic=topic,
            )
            if outcome:
                services.resolve(conversation=conversation, by=agent, outcome=outcome)
        made.append(conversation)
        return conversation

    for n in range(7):
        open_one(
            webchat, f"v-{n}", at(MONDAY + timedelta(days=n % 5), 10), "es", "passport", "answered"
        )
    rare = open_one(sms, "+212612345678", at(MONDAY + timedelta(days=2), 2), "zgh", "asylum", "")
    for n in range(5):
        open_one(
            webchat, f"w-{n}", at(MONDAY + timedelta(days=7 + n), 11), "es", "passport", "answered"
        )
    open_one(
        webchat,
        "w-early",
        at(MONDAY + timedelta(days=7), 0).replace(minute=30),
        "es",
        "passport",
        "answered",
    )
    return {"rare": rare, "all": made}


def dataset(user, **asked):
    with time_machine.travel(NOW, tick=False):
        return advocacy.dataset(user, **asked)


def test_the_dataset_holds_metadata_by_week_and_only_groups_of_k(weeks, analyst):
    found = dataset(analyst, start=MONDAY, end=MONDAY + timedelta(days=13))
    assert (found["from"], found["to"]) == (MONDAY, MONDAY + timedelta(days=13))
    assert found["k"] == {"default": 5}
    assert found["rows"] == [
        {
            "week": MONDAY,
            "desk": "default",
            "channel": "webchat",
            "language": "es",
            "topic": "passport",
            "request_type": "conditions",
            "outcome": "answered",
            "post": None,
            "country": None,
            "conversations": 7,
        },
        {
            "week": MONDAY + timedelta(days=7),
            "desk": "default",
            "channel": "webchat",
            "language": "es",
            "topic": "passport",
            "request_type": "conditions",
            "outcome": "answered",
            "post": None,
            "country": None,
            "conversations": 6,  # with Monday 00:30 in Madrid, still Sunday in UTC
        },
    ]
    assert found["left_out"] == {"groups": 1, "conversations": 1}  # the rare one


def test_the_rare_conversation_cannot_be_singled_out(weeks, analyst, supervisor, desk):
    """Every way an analyst might try to find the one SMS in Tamazight about asylum."""
    rare_values = {"twilio-sms", "zgh", "asylum", "MA"}

    def published(found):
        return {value for row in found["rows"] for value in row.values()}

    # Its values appear nowhere, not even its country (known from its number: Morocco).
    assert weeks["rare"].contact.country == "MA"
    for asked in [
        {"start": MONDAY, "end": MONDAY + timedelta(days=6)},
        # A period from its day (Wednesday) or the day after: the same whole week, so that
        # taking one dataset from the other leaves nothing.
        {"start": MONDAY + timedelta(days=2), "end": MONDAY + timedelta(days=2)},
        {"start": MONDAY + timedelta(days=3), "end": MONDAY + timedelta(days=6)},
        # A larger k hides more, never less.
        {"start": MONDAY, "end": MONDAY + timedelta(days=6), "k": 6},
    ]:
        found = dataset(analyst, **asked)
        assert not rare_values & published(found), asked
        assert all(row["conversations"] >= 5 for row in found["rows"])
    week = dataset(analyst, start=MONDAY, end=MONDAY + timedelta(days=6))["rows"]
    wednesday = dataset(analyst, start=MONDAY + timedelta(days=2), end=MONDAY + timedelta(days=2))
    assert wednesday["rows"] == week
    # Nor by asking for a smaller group than the desk allows, nor by another reader's view.
    with pytest.raises(advocacy.Invalid, match="k: at least 5"):
        dataset(analyst, start=MONDAY, k=2)
    desk.k_anonymity = 8
    desk.save()
    assert dataset(supervisor, start=MONDAY, end=MONDAY + timedelta(days=6))["rows"] == []
    # No exact time, name, number or pseudonym in any column.
    assert set(advocacy.COLUMNS) == {
        "week", "desk", "channel", "language", "topic", "request_type", "outcome", "post",
        "country", "conversations",
    }  # fmt: skip


# The API


def get(client, **query):
    with time_machine.travel(NOW, tick=False):
        return client.get(f"/api/v1/reports/advocacy?{urlencode(query)}")


def test_the_api_gives_the_dataset_as_json_and_csv(weeks, api_as, analyst):
    client = api_as(analyst)
    response = get(client, **{"from": "2026-03-18", "to": "2026-03-25"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["from"], body["to"]) == ("2026-03-16", "2026-03-29")
    assert [(row["week"], row["conversations"]) for row in body["rows"]] == [
        ("2026-03-16", 7),
        ("2026-03-23", 6),
    ]
    assert body["left_out"] == {"groups": 1, "conversations": 1}
    response = get(client, **{"from": "2026-03-16", "to": "2026-03-29", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="advocacy-2026-03-16-2026-03-29.csv"'
    )
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert lines == [
        advocacy.COLUMNS,
        [
            "2026-03-16",
            "default",
            "webchat",
            "es",
            "passport",
            "conditions",
            "answered",
            "",
            "",
            "7",
        ],
        [
            "2026-03-23",
            "default",
            "webchat",
            "es",
            "passport",
            "conditions",
            "answered",
            "",
            "",
            "6",
        ],
    ]


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ({"k": "1"}, "k"),
        ({"k": "3"}, "k: at least 5"),
        ({"from": "2026-03-20", "to": "2026-03-01"}, "from: must not be after to"),
        ({"from": "2023-01-01", "to": "2026-03-01"}, "at most 156 weeks"),
        ({"from": "yesterday"}, "from"),
        ({"desk": "nowhere"}, "no desk 'nowhere'"),
        ({"format": "xlsx"}, "format"),
    ],
)
def test_the_api_refuses_what_it_cannot_read(weeks, api_as, analyst, query, detail):
    response = get(api_as(analyst), **query)
    assert response.status_code == 422, response.content
    assert detail in str(response.json()["detail"])


def test_agents_and_volunteers_get_no_dataset(weeks, api_as, agent, make_staff):
    for user in (agent, make_staff("volunteer", "volunteer")):
        assert get(api_as(user)).status_code == 403


# Recurring questions


def test_recurring_questions_show_what_grows_week_over_week(weeks, analyst, desk):
    # Unanswered questions: six alike about vaccination proof, the last week most; two
    # about something else (fewer than k: not shown).
    questions = [
        (0, "¿Dónde consigo el certificado de vacunación?"),
        (7, "Necesito el certificado de vacunación para el trabajo"),
        (8, "certificado de vacunación, ¿cómo lo pido?"),
        (9, "¿El certificado de vacunación sirve sin papeles?"),
        (10, "Me piden certificado de vacunación en la escuela"),
        (11, "¿Certificado de vacunación gratis?"),
        (9, "¿Puedo abrir una cuenta en el banco?"),
        (10, "Quiero abrir una cuenta bancaria"),
    ]
    for (offset, question), conversation in zip(questions, weeks["all"], strict=False):
        with time_machine.travel(at(MONDAY + timedelta(days=offset), 12), tick=False):
            record_gap(conversation=conversation, source="bot", question=question)
    with time_machine.travel(NOW, tick=False):
        found = advocacy.recurring(analyst, end=MONDAY + timedelta(days=13))
    assert found["weeks"][-2:] == [MONDAY, MONDAY + timedelta(days=7)]
    passport = next(topic for topic in found["topics"] if topic["key"] == "passport")
    assert passport["counts"][-3:] == [0, 7, 6]
    (group,) = found["gaps"]
    assert group["counts"][-2:] == [1, 5]
    assert group["total"] == 6 and group["growth"] > 4
    assert {"certific", "vacun"} <= {word[:8] for word in group["words"]}
    assert "¿" not in " ".join(group["words"])  # words, never a question as written
