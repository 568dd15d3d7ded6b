"""The help centre says whether the desk is open now and when it opens, in the visitor's
language and the desk's time zone; a page kept in a cache or on the phone stops saying it
once it no longer holds."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from browsers import needs_chromium
from helpcentre.test_guide import GUIDE
from helpcentre.test_guide_browser import CONTRAST
from ventanilla.desks.hours import opening_status
from ventanilla.desks.models import Desk
from ventanilla.knowledge.formats import entries_from
from ventanilla.knowledge.services import import_articles

TEGUCIGALPA = ZoneInfo("America/Tegucigalpa")
OFFICE = {day: [["08:00", "12:00"], ["13:00", "17:00"]] for day in ("mon", "tue", "wed", "thu")}
OFFICE["fri"] = [["08:00", "20:00"]]


def tegucigalpa(*args):
    return datetime(*args, tzinfo=TEGUCIGALPA)


FRIDAY_AFTERNOON = tegucigalpa(2026, 6, 12, 15, 0)
SATURDAY = tegucigalpa(2026, 6, 13, 10, 0)


@pytest.fixture
def guide(desk):
    Desk.objects.filter(pk=desk.pk).update(
        languages=["es", "ar", "en"], timezone="America/Tegucigalpa", hours=OFFICE
    )
    desk.refresh_from_db()
    import_articles(entries=entries_from(GUIDE), by=None)
    return desk


@pytest.fixture
def clock(time_machine):
    def stop_at(moment):
        time_machine.move_to(moment, tick=False)

    return stop_at


def status_line(response):
    """The opening line's text and its data-until, or None when the page has none."""
    found = re.search(
        r'<p class="opening (open|closed)" id="opening"(?: data-until="([^"]+)")?[^>]*>([^<]*)</p>',
        response.content.decode(),
    )
    return (found[1], found[2], unescape(found[3])) if found else None


def test_an_open_desk_says_until_when_in_its_own_time_zone(client, guide, clock):
    clock(FRIDAY_AFTERNOON)
    state, until, text = status_line(client.get("/help/default/en/"))
    assert state == "open"
    assert text == "Open now \u2014 until 20:00 (Tegucigalpa time)"
    assert datetime.fromisoformat(until) == datetime(2026, 6, 13, 2, 0, tzinfo=UTC)


def test_a_closed_desk_says_when_it_opens_in_the_visitors_language(client, guide, clock):
    clock(SATURDAY)
    state, until, text = status_line(client.get("/help/default/en/"))
    assert (state, text) == ("closed", "Closed \u2014 opens Monday 08:00 (Tegucigalpa time)")
    assert datetime.fromisoformat(until) == tegucigalpa(2026, 6, 15, 8, 0)
    spanish = status_line(client.get("/help/default/es/"))[2]
    with translation.override("es"):
        assert spanish == opening_status(guide, SATURDAY).text
    assert "lunes 08:00" in spanish


def test_a_holiday_is_said_as_closed(client, guide, clock):
    Desk.objects.filter(pk=guide.pk).update(holidays=["09-15"])  # Independence Day
    clock(tegucigalpa(2026, 9, 15, 10, 0))  # a Tuesday
    state, _, text = status_line(client.get("/help/default/en/"))
    assert (state, text) == ("closed", "Closed \u2014 opens Wednesday 08:00 (Tegucigalpa time)")


@pytest.mark.parametrize(
    "path",
    [
        "/help/default/en/articles/lost-passport/",
        "/help/default/en/topics/passports/",
        "/help/default/en/search?q=passport",
        "/help/default/en/offline/",
        "/help/default/en/articles/no-such-article/",
    ],
)
def test_every_page_of_the_guide_says_it(client, guide, clock, path):
    clock(SATURDAY)
    assert status_line(client.get(path))[2].startswith("Closed \u2014 opens Monday 08:00")


def test_in_an_arabic_interface_the_line_reads_right_to_left(client, guide, clock):
    clock(SATURDAY)
    html = client.get("/help/default/ar/").content.decode()
    assert 'id="opening"' in html and 'dir="rtl"' in html


def test_a_desk_that_keeps_no_hours_says_nothing(client, guide):
    Desk.objects.filter(pk=guide.pk).update(hours={})
    assert status_line(client.get("/help/default/en/")) is None


def test_the_page_changes_only_when_the_status_changes(client, guide, clock):
    clock(FRIDAY_AFTERNOON)
    first = client.get("/help/default/en/")
    clock(FRIDAY_AFTERNOON + timedelta(hours=4))  # 19:00, still open
    same = client.get("/help/default/en/", headers={"If-None-Match": first["ETag"]})
    assert same.status_code == 304  # revalidated for nothing, as before
    clock(FRIDAY_AFTERNOON + timedelta(hours=5, minutes=1))  # 20:01, closed
    changed = client.get("/help/default/en/", headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200 and status_line(changed)[0] == "closed"


# In a real browser: the line is hidden once it no longer holds.


@pytest.mark.browser
@needs_chromium
@pytest.mark.django_db(transaction=True)
def test_a_page_kept_past_the_change_hides_the_line(browser, live_server, guide, time_machine):
    time_machine.move_to(FRIDAY_AFTERNOON, tick=True)
    context = browser.new_context(locale="en", service_workers="block")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    page.clock.install(time=FRIDAY_AFTERNOON + timedelta(hours=4, minutes=59))
    page.goto(f"{live_server.url}/help/default/en/")
    line = page.locator("#opening")
    assert line.is_visible() and line.inner_text().startswith("Open now")
    assert page.evaluate(CONTRAST) == []
    page.clock.run_for(2 * 60 * 1000)  # 20:01 on the phone: no longer true
    assert line.is_hidden()
    page.clock.set_fixed_time(SATURDAY)  # as from the phone's cache, the next morning
    page.reload()
    assert page.locator("#opening").is_hidden()
    assert errors == []
    context.close()
