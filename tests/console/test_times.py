"""Times read at the desk: in its time zone, which is named, with dates written the
reader's way, in the console and on the portal's follow-up page."""

import re
from datetime import UTC, datetime

import pytest
import time_machine

from helpcentre.test_guide import GUIDE
from helpcentre.test_portal import portal, send_request, shown  # noqa: F401 (fixture)
from ventanilla.conversations import services
from ventanilla.conversations.inbound import receive
from ventanilla.desks.models import Desk
from ventanilla.knowledge.formats import entries_from
from ventanilla.knowledge.services import import_articles

NOON_UTC = datetime(2026, 7, 1, 12, 5, tzinfo=UTC)  # 14:05 in Madrid (summer time)


@pytest.fixture
def madrid(desk):
    Desk.objects.filter(pk=desk.pk).update(timezone="Europe/Madrid")
    desk.refresh_from_db()
    return desk


@pytest.fixture
def conversation(madrid, webchat, make_inbound, agent):
    with time_machine.travel(NOON_UTC, tick=False):
        found = receive(
            channel=webchat, inbound=make_inbound(scheme="webchat", address="visitor-t")
        ).message.conversation
        services.note(conversation=found, text="Llamar mañana", by=agent)
    return found


def times(page):
    return re.findall(r"<time datetime=\"[^\"]+\">([^<]+)</time>", page)


def test_the_console_shows_times_in_the_desks_zone_and_names_it(client, agent, conversation):
    client.force_login(agent)
    shown_times = times(client.get(f"/console/c/{conversation.pk}/").content.decode())
    assert shown_times and all(t == "1 Jul 2026, 14:05 (Madrid time)" for t in shown_times)


def test_a_spanish_reader_reads_the_date_the_spanish_way(client, agent, conversation):
    client.force_login(agent)
    page = client.get(f"/console/c/{conversation.pk}/", headers={"accept-language": "es"})
    shown_times = times(page.content.decode())
    assert shown_times and all(t.startswith("01/07/2026 14:05") for t in shown_times)


@pytest.mark.parametrize("language", ["zgh", "ar", "de", "it", "nl", "fr", "en"])
def test_no_language_writes_dates_month_first(client, agent, conversation, language):
    client.force_login(agent)
    page = client.get(f"/console/c/{conversation.pk}/", headers={"accept-language": language})
    for shown_time in times(page.content.decode()):
        assert "07/01" not in shown_time and "7/1/" not in shown_time


def test_the_portal_shows_the_answer_at_the_desks_time(
    client,
    madrid,
    portal,  # noqa: F811
    agent,
    django_capture_on_commit_callbacks,
):
    with time_machine.travel(NOON_UTC, tick=False):
        reference, code = shown(send_request(client))
    page = client.post(
        "/help/default/follow-up/", {"reference": reference, "code": code}, follow=True
    ).content.decode()
    assert times(page) == ["1 Jul 2026, 14:05 (Madrid time)"]


def test_the_guides_updated_dates_are_not_written_the_us_way(client, madrid, supervisor):
    with time_machine.travel(NOON_UTC, tick=False):
        import_articles(entries=entries_from(GUIDE), by=None)
    client.force_login(supervisor)
    page = client.get("/console/guide/").content.decode()
    shown_times = times(page)
    assert shown_times and all(t == "1 Jul 2026, 14:05 (Madrid time)" for t in shown_times)
