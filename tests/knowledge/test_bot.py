"""The guide's bot on WhatsApp, SMS and the web chat, driven through the real webhooks: what
the (fake) providers received, and what became of the conversation."""

import itertools
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone, translation

from fakes.graph import contact, envelope, message
from fakes.twilio import inbound_sms
from ventanilla.accountability.models import Complaint
from ventanilla.conversations import services
from ventanilla.conversations.automatic import state_of
from ventanilla.conversations.models import Conversation, Message
from ventanilla.desks.hours import describe_opening
from ventanilla.desks.models import Desk, RequestType
from ventanilla.knowledge import bot_texts
from ventanilla.knowledge.formats import entries_from
from ventanilla.knowledge.models import BotSettings, Gap, Topic
from ventanilla.knowledge.services import import_articles
from ventanilla.lib.languages import interface_language
from ventanilla.server.demo_guide import GUIDE as DEMO_GUIDE
from ventanilla.triage.tasks import triage_message as handle_message

RENEWAL_BODY = """Para renovar un pasaporte caducado necesita:

- el pasaporte anterior, aunque esté caducado;
- una **fotografía** reciente en color;
- el certificado de inscripción consular.

## Cita previa

Pida cita previa en la [página del consulado](https://consulado.example.org/citas). El día de
la cita, llegue diez minutos antes. Si no tiene el pasaporte anterior, presente una denuncia de
pérdida o robo. La tasa se paga con tarjeta en la ventanilla. El nuevo pasaporte tarda unas
tres semanas y se recoge en persona, con el resguardo que le entregan el día de la cita. Si
vive lejos, puede pedir que se lo envíen por correo certificado a su domicilio pagando el
envío. Los menores necesitan la autorización de los dos padres y su partida de nacimiento.

{{practical}}"""

GUIDE = [
    {
        "key": "passport-renewal",
        "topic": "passports",
        "translations": {
            "es": {
                "title": "Renovar el pasaporte",
                "body": RENEWAL_BODY,
                "questions": ["se me venció el pasaporte", "renovar pasaporte caducado"],
            },
            "en": {
                "title": "Renewing a passport",
                "body": "To renew an expired passport bring the old passport and a recent photo, "
                "and book an appointment at the consulate.",
                "questions": ["my passport expired"],
            },
        },
    },
    {
        "key": "birth-registration",
        "topic": "civil-registry",
        "translations": {
            "es": {
                "title": "Inscribir un nacimiento",
                "body": "Para inscribir a un hijo nacido en el extranjero pida cita y traiga el "
                "certificado de nacimiento del hospital.",
            },
            "en": {
                "title": "Registering a birth",
                "body": "To register a child born abroad, book an appointment and bring the "
                "hospital's birth certificate.",
            },
        },
    },
    {
        "key": "consular-registration",
        "topic": "civil-registry",
        "translations": {
            "es": {
                "title": "Inscribirse en el registro de matrícula consular",
                "body": "Para inscribirse como residente pida cita con su documento de "
                "identidad y un recibo de la vivienda.",
            },
        },
    },
    {
        "key": "health-care",
        "topic": "health",
        "translations": {
            "es": {
                "title": "Ir al médico sin papeles",
                "body": "Los hospitales deben atender urgencias sea cual sea su situación. "
                "Hay clínicas gratuitas para personas sin seguro médico.",
                "questions": ["médico sin seguro"],
            },
        },
    },
    {
        "key": "forced-labour",
        "topic": "trafficking",
        "translations": {
            "es": {
                "title": "Trabajo forzoso y trata",
                "body": "Si alguien le obliga a trabajar sin pagarle, le encierra o le amenaza, "
                "puede ser víctima de trata. Le ayudamos de forma confidencial.",
                "questions": ["me obligan a trabajar", "no me dejan salir de la casa"],
            },
        },
    },
]
CONFIDENT = "renovar pasaporte caducado"  # passport-renewal, surely
UNSURE = "cita"  # three articles ask for an appointment
TITLES = {a["key"]: a["translations"]["es"]["title"] for a in GUIDE}
LINK = "http://127.0.0.1:8000/help/default/es/articles/passport-renewal/"
PERSON = "+447700900401"
DARIJA_IN_ARABIC = "جواز السفر ديالي سالا، كيفاش نجددو؟"  # my passport expired, how to renew
_ids = itertools.count(1)


@pytest.fixture
def bot(desk):
    """The desk's guide, with trafficking a sensitive topic, and the bot switched on."""
    import_articles(entries=entries_from(GUIDE), by=None)
    Topic.objects.filter(key="trafficking").update(sensitive=True)
    return BotSettings.objects.create(desk=desk, enabled=True)


@pytest.fixture
def write(post_whatsapp):
    """The person writes on WhatsApp: a text, or a tap on a button or a list row."""

    def send(text="", *, choose="", row=False, **extra):
        wamid = f"wamid.IN{next(_ids):04d}"
        if choose:
            kind = "list_reply" if row else "button_reply"
            item = message(
                wamid, "interactive", {"type": kind, kind: {"id": choose, "title": text}}
            )
        else:
            item = message(wamid, "text", {"body": text})
        item.update(extra)
        response = post_whatsapp(envelope(messages=[item], contacts=[contact()]))
        assert response.status_code == 200
        return wamid

    return send


@pytest.fixture
def text_sms(post_twilio, sms):
    def send(body):
        sid = f"SM{'f' * 24}{next(_ids):08x}"  # apart from the fake's own message ids
        assert post_twilio(sms.webhook_path, inbound_sms(sid, PERSON, body)).status_code == 200

    return send


def es(sentence, *args, **kwargs):
    """One of the bot's sentences as a Spanish speaker gets it (once translated)."""
    with translation.override("es"):
        return sentence(*args, **kwargs)


def theirs(sentence, *args, **kwargs):
    """One of the bot's sentences in the language of the person it answers."""
    language = Conversation.objects.get().language or "en"
    with translation.override(interface_language(language)):
        return sentence(*args, **kwargs)


def handed_over(urgent=False, opens=None, closed=False):
    return theirs(bot_texts.person_will_answer, urgent=urgent, opens=opens, closed=closed)


def conversation():
    return Conversation.objects.get()


def bot_steps():
    outbound = Message.objects.filter(direction="out").order_by("pk")
    return [(m.details or {}).get("bot") for m in outbound]


def interactive(sent):
    assert sent["type"] == "interactive", sent
    return sent["interactive"]


# WhatsApp


def test_a_sure_answer_is_the_article_made_short_with_its_link_and_three_buttons(bot, write, graph):
    write(CONFIDENT)
    (sent,) = graph.sent
    answer = interactive(sent)
    assert answer["type"] == "button"
    body = answer["body"]["text"]
    assert body.startswith("*Renovar el pasaporte*\n\nPara renovar un pasaporte caducado")
    assert "\u2022 una fotografía reciente en color;" in body  # Markdown made plain text
    assert "**" not in body and "##" not in body
    assert "página del consulado (https://consulado.example.org/citas)" in body
    assert f"{es(bot_texts.read_all, LINK)}\n\n{es(bot_texts.did_it_help)}" in body
    assert "\u2026" in body and len(body) <= 1024
    excerpt = body.split("\n\n", 1)[1].split("\n\n" + es(bot_texts.read_all, LINK))[0]
    assert len(excerpt) <= 700 and excerpt.endswith("a su domicilio pagando el envío. \u2026")
    assert [b["reply"] for b in answer["action"]["buttons"]] == [
        {"id": "bot.yes", "title": es(bot_texts.yes_label)},
        {"id": "bot.no", "title": es(bot_texts.no_label)},
        {"id": "bot.person", "title": es(bot_texts.person_label)},
    ]
    case = conversation()
    assert (case.topic, case.language, case.status) == ("passports", "es", "pending")
    assert [t.name for t in case.tags.all()] == ["passports"]
    reply = Message.objects.get(direction="out")
    assert reply.author is None
    assert reply.details["bot"] == "answer" and reply.details["article"] == "passport-renewal"


def test_the_link_opens_the_article_in_the_help_centre_at_the_public_address(
    bot, write, graph, settings, client
):
    assert client.get(LINK.removeprefix("http://127.0.0.1:8000")).status_code == 200
    settings.PUBLIC_URL = "https://ayuda.example.org"
    write(CONFIDENT)
    assert (
        "https://ayuda.example.org/help/default/es/articles/passport-renewal/"
        in (interactive(graph.sent[0])["body"]["text"])
    )


def test_yes_thanks_the_person_and_resolves_the_conversation_as_answered(bot, write, graph):
    write(CONFIDENT)
    write("Yes", choose="bot.yes")
    thanks = graph.sent[-1]
    assert thanks["type"] == "text"
    assert thanks["text"]["body"] == es(bot_texts.thanks)
    case = conversation()
    assert (case.status, case.outcome) == ("resolved", "answered")
    assert bot_steps() == ["answer", "resolved"]
    assert not Gap.objects.exists()


@pytest.mark.parametrize("written", ["Sí, gracias", "ok", "\U0001f44d"])
def test_a_written_yes_an_ok_or_a_thumb_up_count_as_yes(bot, write, graph, written):
    write(CONFIDENT)
    write(written)
    assert bot_steps() == ["answer", "resolved"] and conversation().status == "resolved"


def test_no_hands_over_and_keeps_the_question_as_a_gap(bot, write, graph, agent):
    write(CONFIDENT)
    write("No", choose="bot.no")
    assert graph.sent[-1]["text"]["body"] == handed_over()
    gap = Gap.objects.get()
    assert (gap.source, gap.question, gap.language) == ("bot", CONFIDENT, "es")
    case = conversation()
    assert (case.status, case.topic, case.assignee) == ("open", "passports", None)
    assert [t.name for t in case.tags.all()] == ["passports"]
    write("¿Hola? renovar pasaporte caducado")  # handed over: the bot says no more
    assert len(graph.sent) == 2 and bot_steps() == ["answer", "handover"]


def test_an_unsure_question_offers_three_articles_in_a_list_and_a_row_answers(bot, write, graph):
    write(UNSURE)
    offer = interactive(graph.sent[0])
    assert offer["type"] == "list" and offer["body"]["text"] == es(bot_texts.is_it_one_of_these)
    assert offer["action"]["button"] == es(bot_texts.list_button)
    (section,) = offer["action"]["sections"]
    rows = section["rows"]
    assert sorted(r["id"] for r in rows[:3]) == [
        "bot.article.birth-registration",
        "bot.article.consular-registration",
        "bot.article.passport-renewal",
    ]
    assert rows[3] == {"id": "bot.person", "title": es(bot_texts.person_label)}
    long = next(r for r in rows if r["id"] == "bot.article.consular-registration")
    assert long["title"] == "Inscribirse en el regis\u2026" and len(long["title"]) == 24
    assert long["description"] == "Inscribirse en el registro de matrícula consular"
    write("Inscribir un nacimiento", choose="bot.article.birth-registration", row=True)
    answer = interactive(graph.sent[1])
    assert answer["body"]["text"].startswith("*Inscribir un nacimiento*\n\nPara inscribir")
    assert conversation().topic == "civil-registry"
    assert bot_steps() == ["choices", "answer"]
    write("No", choose="bot.no")  # the gap is the question first asked
    assert Gap.objects.get().question == UNSURE


ASKED_IN_ENGLISH = "appointment with the consulate registration"  # unsure: three articles
REGISTRATION_ES = TITLES["consular-registration"]  # the only one without an English title


def test_offered_articles_are_in_the_persons_language_or_marked_with_their_own(bot, write, graph):
    write(ASKED_IN_ENGLISH)
    assert conversation().language == "en"
    rows = interactive(graph.sent[0])["action"]["sections"][0]["rows"]
    assert [r["title"] for r in rows[:2]] == ["Renewing a passport", "Registering a birth"]
    marked = f"{REGISTRATION_ES} (Spanish)"
    assert rows[2] == {
        "id": "bot.article.consular-registration",
        "title": "Inscribirse en el regis\u2026",  # WhatsApp shows 24 characters of a row
        "description": marked,
    }
    assert [t["title"] for t in Message.objects.get(direction="out").details["menu"]["choices"]][
        :3
    ] == ["Renewing a passport", "Registering a birth", marked]


def test_on_sms_offered_titles_are_whole_with_their_language(bot, text_sms, twilio):
    text_sms(ASKED_IN_ENGLISH)
    offer = twilio.sent[0]["Body"][0]
    assert "1. Renewing a passport\n2. Registering a birth\n" in offer
    assert f"\n3. {REGISTRATION_ES} (Spanish)\n4. Talk to a person" in offer
    assert "\u2026" not in offer


def test_on_the_web_chat_offered_titles_are_whole_with_their_language(
    bot, client, webchat, django_capture_on_commit_callbacks
):
    token = client.post(f"/webchat/{webchat.pk}/session").json()["token"]
    headers = {"X-Visitor-Token": token}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/webchat/{webchat.pk}/messages",
            json.dumps({"text": ASKED_IN_ENGLISH, "client_id": "visitor-0001", "language": "en"}),
            content_type="application/json",
            headers=headers,
        )
    shown = client.get(f"/webchat/{webchat.pk}/messages", headers=headers).json()["messages"]
    titles = [choice["title"] for choice in shown[-1]["choices"]]
    assert titles[:3] == [
        "Renewing a passport",
        "Registering a birth",
        f"{REGISTRATION_ES} (Spanish)",
    ]


def test_an_urgent_handover_gives_the_desks_emergency_number(bot, write, graph, desk):
    Desk.objects.filter(pk=desk.pk).update(emergency_phone="+34 900 100 200")
    write("me obligan a trabajar y no me dejan salir")
    (sent,) = graph.sent
    assert "+34 900 100 200" in sent["text"]["body"]
    assert sent["text"]["body"] == theirs(
        bot_texts.person_will_answer,
        urgent=True,
        opens=None,
        closed=False,
        emergency_phone="+34 900 100 200",
    )


def test_a_question_the_guide_cannot_answer_is_handed_over_and_kept_as_a_gap(bot, write, graph):
    write("¿Quién ganó el partido de fútbol ayer?")
    assert graph.sent[0]["text"]["body"] == handed_over()
    gap = Gap.objects.get()
    assert (gap.source, gap.question) == ("bot", "¿Quién ganó el partido de fútbol ayer?")
    assert bot_steps() == ["handover"] and conversation().status == "open"


@pytest.mark.parametrize(
    "text",
    [
        "Quiero hablar con una persona",
        "agente por favor",
        "I want to talk to a human",
        "Je voudrais parler à quelqu'un svp",
        "Ik wil met een medewerker spreken",
        "operatore",
        "Mitarbeiter bitte",
        "أريد التحدث مع موظف",
        "bghit nhder m3a chi wa7ed",
    ],
)
def test_asking_for_a_person_hands_over_at_once(bot, write, graph, text):
    write(text)
    (sent,) = graph.sent
    assert sent["text"]["body"] == handed_over()
    assert bot_steps() == ["handover"]
    case = conversation()
    assert (case.status, case.priority) == ("open", "normal")
    assert not Gap.objects.exists()


def test_the_talk_to_a_person_button_hands_over_and_keeps_what_was_not_enough(bot, write, graph):
    write(UNSURE)
    write("Talk to a person", choose="bot.person", row=True)
    assert bot_steps() == ["choices", "handover"]
    assert Gap.objects.get().question == UNSURE
    assert conversation().status == "open"


@pytest.mark.parametrize(
    "text",
    [
        "me obligan a trabajar y no me dejan salir",
        "Quiero hablar con una persona, me obligan a trabajar",
    ],
)
def test_a_sensitive_question_goes_to_a_person_urgently_and_no_article_is_sent(
    bot, write, graph, text
):
    write(text)
    (sent,) = graph.sent
    assert sent["text"]["body"] == handed_over(urgent=True)
    assert "emergency number" in bot_texts.person_will_answer(urgent=True, opens="", closed=False)
    case = conversation()
    assert (case.priority, case.topic, case.status) == ("urgent", "trafficking", "open")
    assert [t.name for t in case.tags.all()] == ["trafficking"]
    assert bot_steps() == ["handover"] and not Gap.objects.exists()


def test_a_topic_gives_the_conversation_the_request_type_it_names_and_its_clocks(bot, write):
    Topic.objects.filter(key="trafficking").update(request_type="rights-violation")
    write("me obligan a trabajar y no me dejan salir")
    case = conversation()
    assert case.request_type.slug == "rights-violation"  # one of the desk's defaults
    assert case.first_response_due_at == case.created_at + timedelta(hours=1)


def test_a_request_type_chosen_by_staff_is_not_replaced_by_the_topics(bot, write, desk):
    Topic.objects.filter(key="passports").update(request_type="application-status")
    write("Hola")
    complaint = RequestType.objects.get(desk=desk, slug="complaint")
    services.classify(conversation=conversation(), by=None, request_type=complaint)
    write("¿Cómo renuevo mi pasaporte caducado?")
    assert conversation().request_type.slug == "complaint"


def test_a_sensitive_article_is_handed_over_even_when_the_bot_may_not_speak_on_it(
    bot, write, graph
):
    bot.topics.set(Topic.objects.filter(key="passports"))
    write("me obligan a trabajar y no me dejan salir")
    assert conversation().priority == "urgent"


def test_a_sensitive_article_is_never_sent_even_when_chosen_from_a_list(bot, write, graph):
    write("Trabajo forzoso y trata", choose="bot.article.forced-labour", row=True)
    (sent,) = graph.sent
    assert sent["type"] == "text" and sent["text"]["body"] == handed_over(urgent=True)
    assert conversation().priority == "urgent"


def test_the_bot_answers_only_on_the_topics_the_desk_chose(bot, write, graph):
    bot.topics.set(Topic.objects.filter(key__in=["passports", "civil-registry"]))
    write("médico sin seguro")
    (sent,) = graph.sent
    assert sent["type"] == "text" and "clínicas" not in sent["text"]["body"]
    case = conversation()
    assert (case.topic, [t.name for t in case.tags.all()]) == ("health", ["health"])
    assert bot_steps() == ["handover"] and not Gap.objects.exists()


def test_allowed_topics_are_still_answered(bot, write, graph):
    bot.topics.set(Topic.objects.filter(key="passports"))
    write(CONFIDENT)
    assert bot_steps() == ["answer"]


@pytest.mark.parametrize("settings_", ["off", "none"])
def test_with_the_bot_off_nothing_is_sent(bot, write, graph, settings_):
    if settings_ == "off":
        BotSettings.objects.update(enabled=False)
    else:
        BotSettings.objects.all().delete()
    write(CONFIDENT)
    write("Quiero hablar con una persona")
    assert graph.sent == [] and not Message.objects.filter(direction="out").exists()
    assert conversation().status == "open" and not Gap.objects.exists()


def test_messages_received_before_the_bot_was_switched_on_are_left_to_people(bot, write, graph):
    BotSettings.objects.update(enabled_at=timezone.now() + timedelta(minutes=1))
    write(CONFIDENT)
    assert graph.sent == [] and not Message.objects.filter(direction="out").exists()
    BotSettings.objects.update(enabled_at=timezone.now() - timedelta(minutes=1))
    write(CONFIDENT)
    assert len(graph.sent) == 1


def test_a_conversation_someone_is_assigned_to_is_left_to_them(bot, write, graph, agent):
    BotSettings.objects.update(enabled=False)
    write("Hola")
    services.assign(conversation=conversation(), assignee=agent, by=agent)
    BotSettings.objects.update(enabled=True)
    write(CONFIDENT)
    assert graph.sent == []


def test_a_conversation_a_member_of_staff_wrote_in_is_left_to_people(
    bot, write, graph, agent, django_capture_on_commit_callbacks
):
    write(CONFIDENT)
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(conversation=conversation(), text="Le ayudo yo", by=agent)
    write(UNSURE)
    assert len(graph.sent) == 2 and bot_steps() == ["answer", None]


def test_an_image_alone_is_handed_over_without_a_word(bot, write, graph, post_whatsapp):
    sha = graph.add_media("1234567890", b"\xff\xd8\xff invented photo", "image/jpeg")
    photo = message(
        "wamid.PHOTO1",
        "image",
        {"id": "1234567890", "mime_type": "image/jpeg", "sha256": sha},
    )
    post_whatsapp(envelope(messages=[photo], contacts=[contact()]))
    assert graph.sent == []
    state = state_of(conversation())
    assert (state.bot_step, state.bot_reason) == ("handover", "no-text")
    assert state.bot_marked == Message.objects.get(provider_id="wamid.PHOTO1").pk
    write(CONFIDENT)  # the person's next question is for a person too
    assert graph.sent == []


def test_a_greeting_is_welcomed_and_the_question_that_follows_answered(bot, write, graph):
    write("Hola buenas")
    welcome = interactive(graph.sent[0])
    assert welcome["body"]["text"] == es(bot_texts.welcome, "Default desk")
    assert [b["reply"]["id"] for b in welcome["action"]["buttons"]] == [
        "bot.person",
        "bot.report",
        "bot.complaint",
    ]
    assert conversation().language == "es"
    write(CONFIDENT)
    assert bot_steps() == ["welcome", "answer"]


def test_the_welcome_menu_files_a_complaint_and_the_bot_then_leaves_it_to_people(bot, write, graph):
    write("Hola buenas")
    write("Poner una queja", choose="bot.complaint")
    complaint = Complaint.objects.get()
    assert (complaint.source, complaint.kind) == ("menu", "complaint")
    told = graph.sent[-1]["text"]["body"]
    assert complaint.number in told and "Cuéntenos aquí qué pasó" in told
    sent = len(graph.sent)
    write("En la ventanilla de pasaportes no me quisieron atender")  # a question the guide has
    assert len(graph.sent) == sent  # people handle a complaint: the bot stays silent
    assert conversation().routed_at is not None


def test_the_welcome_names_the_desk_in_the_persons_language(bot, write, graph, desk):
    Desk.objects.filter(pk=desk.pk).update(names={"es": "Consulado general"})
    write("Hola buenas")
    welcome = interactive(graph.sent[0])
    assert welcome["body"]["text"] == es(bot_texts.welcome, "Consulado general")


def test_after_a_resolved_conversation_the_bot_starts_afresh(bot, write, graph):
    write(CONFIDENT)
    write("Sí", choose="bot.yes")
    write("gracias")  # thanks for the answer: nothing more to say, still resolved
    assert len(graph.sent) == 2 and conversation().status == "resolved"
    write(UNSURE)
    assert bot_steps() == ["answer", "resolved", "choices"]
    assert conversation().status == "pending"


def test_the_same_delivery_twice_is_answered_once(bot, post_whatsapp, graph):
    delivery = envelope(
        messages=[message("wamid.TWICE", "text", {"body": CONFIDENT})], contacts=[contact()]
    )
    post_whatsapp(delivery)
    post_whatsapp(delivery)
    assert len(graph.sent) == 1


def test_the_task_run_again_for_a_message_answers_it_once(
    bot, write, graph, django_capture_on_commit_callbacks
):
    write(CONFIDENT)
    asked = Message.objects.get(direction="in")
    with django_capture_on_commit_callbacks(execute=True):
        handle_message(asked.pk)
    assert len(graph.sent) == 1 and bot_steps() == ["answer"]


def test_out_of_hours_the_handover_says_when_people_will_answer(
    bot, write, graph, desk, monkeypatch
):
    Desk.objects.filter(pk=desk.pk).update(
        timezone="Europe/Madrid", hours={d: [["09:00", "14:00"]] for d in ("mon", "tue", "fri")}
    )
    saturday = datetime(2026, 6, 13, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: saturday)
    write("I want to talk to a person", timestamp=str(int(saturday.timestamp())))
    assert graph.sent[0]["text"]["body"] == (
        "Thank you. Our team is not at work now: a person will answer you here from Monday 09:00."
    )
    write(CONFIDENT)  # the bot answers what it can whenever it is asked
    assert len(graph.sent) == 1  # ...but this conversation is now for people


def test_out_of_hours_the_bot_still_answers_and_an_emergency_is_told_when(
    bot, write, graph, desk, monkeypatch
):
    Desk.objects.filter(pk=desk.pk).update(
        timezone="Europe/Madrid", hours={"mon": [["09:00", "14:00"]]}
    )
    saturday = datetime(2026, 6, 13, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: saturday)
    write(CONFIDENT, timestamp=str(int(saturday.timestamp())))
    assert bot_steps() == ["answer"]
    write("me obligan a trabajar y no me dejan salir", timestamp=str(int(saturday.timestamp())))
    monday = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)  # 09:00 in Madrid
    desk.refresh_from_db()
    opens = es(describe_opening, desk, monday, now=saturday)
    assert opens == "lunes 09:00"
    assert graph.sent[-1]["text"]["body"] == handed_over(urgent=True, opens=opens, closed=True)
    with translation.override("en"):
        said = bot_texts.person_will_answer(urgent=True, opens="Monday 09:00", closed=True)
    assert "as soon as possible, from Monday 09:00 at the latest" in said


# SMS


def test_on_sms_the_choices_are_numbered_and_a_number_chooses(bot, text_sms, twilio):
    text_sms(UNSURE)  # a word: the bot speaks the language of the articles it found
    offer = twilio.sent[0]["Body"][0]
    choose = es(bot_texts.reply_with_number)
    assert offer.startswith(f"{es(bot_texts.is_it_one_of_these)} {choose}\n\n1. ")
    assert offer.endswith(f"\n4. {es(bot_texts.person_label)}")
    second = state_of(conversation()).bot_offered[1]
    text_sms("2")
    answer = twilio.sent[1]["Body"][0]
    assert Message.objects.filter(direction="out").last().details["article"] == second
    assert answer.startswith(TITLES[second] + "\n\n")
    yes, no, person = (es(f) for f in (bot_texts.yes_label, bot_texts.no_label,
                                           bot_texts.person_label))  # fmt: skip
    assert answer.endswith(
        f"{es(bot_texts.did_it_help)} {choose}\n\n1. {yes}\n2. {no}\n3. {person}"
    )
    text_sms("1")
    assert twilio.sent[2]["Body"][0] == es(bot_texts.thanks)
    assert conversation().status == "resolved"


def test_on_sms_an_answer_is_short_and_plain(bot, text_sms, twilio):
    text_sms(CONFIDENT)
    answer = twilio.sent[0]["Body"][0]
    title, rest = answer.split("\n\n", 1)
    excerpt, rest = rest.split("\n\n" + es(bot_texts.read_all, LINK) + "\n\n")
    assert title == "Renovar el pasaporte"
    assert len(excerpt) <= 320 and excerpt.endswith("\u2026") and "**" not in excerpt
    text_sms("no")  # written, not tapped
    assert twilio.sent[1]["Body"][0] == handed_over()
    assert Gap.objects.get().question == CONFIDENT


# Web chat


def test_on_the_web_chat_the_buttons_come_with_the_answer(
    bot, client, webchat, django_capture_on_commit_callbacks
):
    token = client.post(f"/webchat/{webchat.pk}/session").json()["token"]

    def visitor_writes(text, client_id, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/webchat/{webchat.pk}/messages",
                json.dumps({"text": text, "client_id": client_id, **extra}),
                content_type="application/json",
                headers={"X-Visitor-Token": token},
            )
        assert response.status_code == 201

    visitor_writes(CONFIDENT, "visitor-0001", language="es")
    shown = client.get(
        f"/webchat/{webchat.pk}/messages", headers={"X-Visitor-Token": token}
    ).json()["messages"]
    assert shown[-1]["text"].startswith("Renovar el pasaporte\n\nPara renovar")
    assert [c["id"] for c in shown[-1]["choices"]] == ["bot.yes", "bot.no", "bot.person"]
    visitor_writes("Yes", "visitor-0002", choice={"id": "bot.yes", "title": "Yes"})
    assert conversation().status == "resolved"


def test_darija_in_arabic_letters_after_spanish_was_chosen_is_answered_from_the_arabic_guide(
    desk, client, webchat, django_capture_on_commit_callbacks
):
    import_articles(entries=entries_from(DEMO_GUIDE), by=None)
    BotSettings.objects.create(desk=desk, enabled=True)
    token = client.post(f"/webchat/{webchat.pk}/session").json()["token"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/webchat/{webchat.pk}/messages",
            json.dumps({"text": DARIJA_IN_ARABIC, "client_id": "visitor-0001", "language": "es"}),
            content_type="application/json",
            headers={"X-Visitor-Token": token},
        )
    assert response.status_code == 201
    case = conversation()
    assert case.language in ("ary", "ar") and case.topic == "passports"
    answer = Message.objects.get(direction="out")
    assert answer.details["bot"] == "answer" and answer.details["article"] == "passport-renewal"
    assert answer.text.startswith("تجديد جواز السفر\n\n")
    assert state_of(case).bot_language == "ar"
    with translation.override("ar"):  # the bot's own words in Arabic too, not Spanish
        assert answer.text.endswith(bot_texts.did_it_help())


# The words the bot reads and writes


def test_markdown_becomes_text_a_phone_shows_as_it_is():
    text = bot_texts.plain_text(
        "# Title\n\nSome **bold** and a [link](https://example.org).\n\n1. one\n2. two\n\nEnd"
    )
    assert text == "Title\n\nSome bold and a link (https://example.org).\n\n1. one\n2. two\n\nEnd"


def test_a_long_text_is_cut_at_a_sentence_or_between_words():
    sentences = "One sentence here. " * 10
    assert bot_texts.shorten(sentences, 50) == "One sentence here. One sentence here. \u2026"
    words = "word " * 30
    cut = bot_texts.shorten(words, 22)
    assert cut == "word word word word\u2026" and len(cut) <= 22
    assert bot_texts.shorten("short", 22) == "short"


def test_numbers_greetings_and_yes_or_no_are_read_in_many_languages():
    assert [bot_texts.number_chosen(t) for t in ("2", " 3. ", "#1", "٢", "2 pasaportes")] == [
        2,
        3,
        1,
        2,
        None,
    ]
    assert all(bot_texts.only_greets(t) for t in ("Hola buenas!", "salam", "السلام عليكم"))
    assert not bot_texts.only_greets("hola, mi pasaporte")
    assert all(bot_texts.says_yes(t) for t in ("sí", "Oui merci", "ok", "yes thanks", "نعم", "👍"))
    assert bot_texts.says_nothing("🙂") and not bot_texts.says_yes("🙂")
    assert all(bot_texts.says_no(t) for t in ("no", "Non", "nee", "لا", "no gracias"))
    assert bot_texts.person_request("Necesito hablar con una persona, me pegan") == (
        True,
        "necesito me pegan",
    )
    assert bot_texts.person_request("¿Puede una persona sin papeles ir al médico?")[0] is False
