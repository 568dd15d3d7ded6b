"""A desk's own texts reach people: a desk-added Ukrainian on WhatsApp (the bot and the
out-of-hours notice, at the fake Graph API) and in the web chat; a Spanish override both in a
help-centre page and in a WhatsApp reply; a Dari page right to left."""

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django.utils.translation import gettext

from fakes.graph import contact, envelope, message
from ventanilla.channels.services import create_channel
from ventanilla.desks.models import Desk
from ventanilla.desks.text_services import set_text
from ventanilla.knowledge import bot_texts
from ventanilla.knowledge.formats import entries_from
from ventanilla.knowledge.models import BotSettings
from ventanilla.knowledge.services import import_articles

NOTICE = "Thank you for writing. We are closed now and open again on %(when)s."
EMERGENCY = "In an emergency, call %(phone)s."
UKRAINIAN_NOTICE = "Дякуємо, що написали. Зараз ми зачинені й відкриємося %(when)s."
QUESTION = "Доброго дня, мені потрібна допомога з документами для моєї родини, будь ласка"
GUIDE = [
    {
        "key": "passport-renewal",
        "topic": "passports",
        "translations": {
            "es": {"title": "Renovar el pasaporte", "body": "Traiga el pasaporte anterior."},
            "en": {"title": "Renewing a passport", "body": "Bring the old passport."},
        },
    }
]
OFFICE = {day: [["09:00", "14:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
SATURDAY = datetime(2026, 6, 13, 11, 0, tzinfo=ZoneInfo("Europe/Madrid"))
_ids = itertools.count(1)


def english(sentence, *args, **kwargs):
    """A sentence's English text: the msgid a desk's text stands for."""
    with translation.override("en"):
        return sentence(*args, **kwargs)


def spanish(text):
    with translation.override("es"):
        return gettext(text)


@pytest.fixture
def closed_desk(desk, time_machine):
    """A desk that answers in Spanish and, since a crisis, in Ukrainian; closed now."""
    time_machine.move_to(SATURDAY, tick=False)
    Desk.objects.filter(pk=desk.pk).update(
        languages=["es", "uk"], hours=OFFICE, timezone="Europe/Madrid", emergency_phone="112"
    )
    desk.refresh_from_db()
    return desk


@pytest.fixture
def write(post_whatsapp):
    def send(text):
        wamid = f"wamid.TX{next(_ids):04d}"
        item = message(wamid, "text", {"body": text})
        assert post_whatsapp(envelope(messages=[item], contacts=[contact()])).status_code == 200

    return send


def test_a_ukrainian_writer_gets_the_desks_ukrainian_notice_and_spanish_for_the_rest(
    closed_desk, write, graph
):
    set_text(desk=closed_desk, language="uk", msgid=NOTICE, text=UKRAINIAN_NOTICE, by=None)
    write(QUESTION)
    (sent,) = graph.sent
    body = sent["text"]["body"]
    assert body.startswith(UKRAINIAN_NOTICE.split("%")[0])
    assert spanish(EMERGENCY) % {"phone": "112"} in body  # not written yet: the main language


def test_the_bot_hands_over_in_the_desks_ukrainian(closed_desk, write, graph):
    import_articles(entries=entries_from(GUIDE), by=None)
    BotSettings.objects.create(desk=closed_desk, enabled=True)
    handover = english(bot_texts.person_will_answer, urgent=False, opens="%(when)s", closed=True)
    ukrainian = "Дякуємо. Людина з нашої команди відповість вам тут з %(when)s."
    set_text(desk=closed_desk, language="uk", msgid=handover, text=ukrainian, by=None)
    write(QUESTION)
    bodies = [sent["text"]["body"] for sent in graph.sent]
    assert bodies and bodies[0].startswith(ukrainian.split("%")[0])


def test_a_spanish_override_replaces_the_catalogue_in_a_whatsapp_reply(closed_desk, write, graph):
    Desk.objects.filter(pk=closed_desk.pk).update(languages=["es"])
    closed_desk.refresh_from_db()
    ours = "Gracias por escribirnos. La oficina está cerrada y abre el %(when)s."
    set_text(desk=closed_desk, language="es", msgid=NOTICE, text=ours, by=None)
    write("Hola, necesito ayuda con mi pasaporte que se ha caducado hace un mes")
    (sent,) = graph.sent
    assert sent["text"]["body"].startswith(ours.split("%")[0])
    assert spanish(NOTICE).split("%")[0] not in sent["text"]["body"]


def test_a_spanish_override_replaces_the_catalogue_in_a_help_centre_page(client, closed_desk):
    import_articles(entries=entries_from(GUIDE), by=None)
    before = client.get("/help/default/es/").content.decode()
    assert f">{spanish('Search the guide')}</label>" in before
    set_text(
        desk=closed_desk, language="es", msgid="Search the guide", text="Buscar en la guía", by=None
    )
    html = client.get("/help/default/es/").content.decode()
    assert ">Buscar en la guía</label>" in html
    assert '<html lang="es" dir="ltr"' in html


def test_the_web_chat_offers_and_speaks_the_desks_ukrainian(client, closed_desk):
    chat = create_channel(desk=closed_desk, type="webchat", name="Chat", config={}, by=None)
    choose = "Choose your language"
    set_text(desk=closed_desk, language="uk", msgid=choose, text="Оберіть мову", by=None)
    offered = client.get(f"/webchat/{chat.pk}/").content.decode()
    assert 'lang="uk">Українська</a>' in offered
    html = client.get(f"/webchat/{chat.pk}/", {"lang": "uk"}).content.decode()
    assert '<html lang="uk" dir="ltr">' in html
    assert "Оберіть мову" in html
    assert spanish("Change language") in html  # not written yet: the main language


def test_the_web_chat_in_dari_reads_right_to_left_with_the_desks_text(client, closed_desk):
    Desk.objects.filter(pk=closed_desk.pk).update(languages=["es", "prs"])
    closed_desk.refresh_from_db()
    chat = create_channel(desk=closed_desk, type="webchat", name="Chat", config={}, by=None)
    set_text(
        desk=closed_desk,
        language="prs",
        msgid="Choose your language",
        text="زبان خود را انتخاب کنید",
        by=None,
    )
    html = client.get(f"/webchat/{chat.pk}/", {"lang": "prs"}).content.decode()
    assert '<html lang="prs" dir="rtl">' in html
    assert "زبان خود را انتخاب کنید" in html


def test_the_help_centre_offers_and_serves_the_desks_ukrainian(client, closed_desk):
    import_articles(entries=entries_from(GUIDE), by=None)
    set_text(
        desk=closed_desk, language="uk", msgid="Search the guide", text="Пошук по довідці", by=None
    )
    spanish_home = client.get("/help/default/es/").content.decode()
    assert 'hreflang="uk"' in spanish_home and "Українська" in spanish_home
    response = client.get("/help/default/uk/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="uk" dir="ltr"' in html
    assert ">Пошук по довідці</label>" in html
    # No Ukrainian article yet: the article in its source language, marked as such.
    assert 'lang="en" dir="auto">Renewing a passport</a>' in html
    assert f">{spanish('Search')}</button>" in html  # not written yet: the main language


def test_a_spanish_override_replaces_the_catalogue_on_the_portal_form(client, closed_desk):
    create_channel(desk=closed_desk, type="portal", name="Form", config={}, by=None)
    heading = "Send us your question or request"
    set_text(desk=closed_desk, language="es", msgid=heading, text="Escríbanos su consulta", by=None)
    html = client.get("/help/default/request/", headers={"Accept-Language": "es"}).content.decode()
    assert "<h1>Escríbanos su consulta</h1>" in html
    assert f">{spanish('I already sent a request')}</a>" in html
