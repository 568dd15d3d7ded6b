"""The demo: a consular information desk with teams, staff, a few conversations, a phone
line with its calls, and a guide.

Everything here is invented, the phone numbers come from the UK's range reserved for
drama (+44 7700 900xxx), and loading it twice changes nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ventanilla.accountability.models import Post
from ventanilla.accountability.reviews import draw
from ventanilla.accountability.services import save_post
from ventanilla.accountability.surveys import offer, save_settings
from ventanilla.calls import flow
from ventanilla.calls.models import Call
from ventanilla.calls.services import update_line
from ventanilla.channels.adapters.base import CallEvent, Inbound
from ventanilla.channels.models import Channel
from ventanilla.channels.services import create_channel
from ventanilla.conversations import services as conversations
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Message
from ventanilla.desks.models import AgentProfile, Assignment, Desk, RequestType, Team
from ventanilla.desks.roles import Role
from ventanilla.desks.services import add_default_request_types, enrol_staff
from ventanilla.helpcentre.applications import Row, import_applications
from ventanilla.helpcentre.models import ApplicationService
from ventanilla.knowledge.formats import entries_from
from ventanilla.knowledge.models import BotSettings, Topic
from ventanilla.knowledge.services import import_articles
from ventanilla.referrals.directory import save_organisation, save_service
from ventanilla.referrals.models import Service
from ventanilla.referrals.services import refer
from ventanilla.referrals.services import save_settings as save_referral_settings
from ventanilla.server import demo_directory, demo_names
from ventanilla.server.demo_guide import GUIDE
from ventanilla.teamwork import services as teamwork
from ventanilla.teamwork.models import CannedResponse
from ventanilla.triage.pipeline import triage
from ventanilla.triage.rules import add_rule

PASSWORD = "ventanilla-demo"  # noqa: S105 (public by design, printed at start)
DESK = "demo"


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    languages: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()


LOGINS = [
    Login("admin", Role.ADMIN, ("en", "es")),
    Login("sofia", Role.SUPERVISOR, ("es", "en", "fr"), ("information", "protection")),
    Login("amal", Role.AGENT, ("ar", "fr", "es"), ("information",)),
    Login("joris", Role.AGENT, ("nl", "en"), ("information", "legal")),
    Login("lucia", Role.AGENT, ("es", "en"), ("information", "protection")),
    Login("ana", Role.ANALYST),
]

# Not connected to Meta: it shows WhatsApp conversations; replies on it fail.
DEMO_WHATSAPP = {
    "phone_number_id": "100000000000001",
    "access_token": "demo-access-token",
    "app_secret": "demo-app-secret",
    "verify_token": "demo-verify-token",
    "api_base_url": "http://127.0.0.1:9",
}

# Not connected to Twilio either: it shows the phone line's settings and calls; nothing
# is dialled (taking a call or calling back fails, as the provider cannot be reached).
DEMO_PHONE_LINE = {
    "account_sid": "AC" + "0de70" * 6 + "de",
    "number": "+447700900100",
    "api_base_url": "http://127.0.0.1:9",
}
# The person who asked on WhatsApp about their application also calls: one contact.
CALLER = "+447700900101"

TEAMS = {
    "information": "Information",
    "legal": "Legal advice",
    "protection": "Protection",
    "interpretation": "Interpretation",
}

# Where conversations go: (request type, team, tell the team at once). Languages no one at
# the desk speaks (Tamazight, say) go to the interpretation team on their own.
RULES = [
    ("rights-violation", "protection", True),
    ("legal", "legal", False),
    ("complaint", "legal", False),
]

# Applications a visitor can look up in the help centre or on the web chat, such as
# ES-2026-004512 with the date of birth 12/03/1990.
APPLICATIONS = [
    ("ES-2026-004512", "Passport", "ready-for-collection", "2026-11-18", "Madrid", "1990-03-12"),
    ("ES-2026-004513", "Consular card", "in-review", "2026-11-20", "Madrid", "1985-07-01"),
    (
        "ES-2026-003977",
        "Birth certificate",
        "documents-needed",
        "2026-11-02",
        "Sevilla",
        "2001-01-30",
    ),
]

# (channel, address, provider id, language, text, request type)
MESSAGES = [
    (
        "webchat",
        "demo-visitor-1",
        "demo-1",
        "es",
        "Hola, ¿qué documentos necesito para renovar mi pasaporte en el consulado?",
        "conditions",
    ),
    (
        "whatsapp",
        "+447700900101",
        "demo-2",
        "ar",
        "السلام عليكم، أريد أن أعرف حالة طلب البطاقة الوطنية الذي قدمته الشهر الماضي",
        "application-status",
    ),
    (
        "whatsapp",
        "+447700900102",
        "demo-3",
        "en",
        "Hello, I have no papers. Where can I see a doctor in Amsterdam?",
        "conditions",
    ),
    (
        "webchat",
        "demo-visitor-2",
        "demo-4",
        "fr",
        "Bonjour, j'ai perdu mon passeport, que dois-je faire ?",
        "conditions",
    ),
    (
        "whatsapp",
        "+447700900103",
        "demo-5",
        "es",
        "Mi empleador no me paga desde hace tres meses y se quedó con mi pasaporte",
        "rights-violation",
    ),
    ("webchat", "demo-visitor-3", "demo-6", "en", "Is the consulate open on Saturday?", ""),
]


HOURS = {
    "mon": [["08:00", "14:00"], ["15:00", "20:00"]],
    "tue": [["08:00", "14:00"], ["15:00", "20:00"]],
    "wed": [["08:00", "14:00"], ["15:00", "20:00"]],
    "thu": [["08:00", "14:00"], ["15:00", "20:00"]],
    "fri": [["08:00", "14:00"]],
    "sat": [["09:00", "13:00"]],
    "sun": [],
}

CANNED = [
    (
        "greeting",
        "Greeting",
        {
            "es": "Hola, le atiende {agent} de {desk}. Su número de referencia es {reference}.",
            "en": "Hello, this is {agent} at {desk}. Your reference number is {reference}.",
            "fr": "Bonjour, ici {agent} de {desk}. Votre numéro de référence est {reference}.",
            "ar": "مرحبا، معك {agent} من {desk}. رقمك المرجعي هو {reference}.",
            "nl": "Hallo, u spreekt met {agent} van {desk}. Uw referentienummer is {reference}.",
        },
    ),
    (
        "hours",
        "Opening hours",
        {
            "es": "Atendemos en estos horarios: {hours}.",
            "en": "We answer at these times: {hours}.",
            "fr": "Nous répondons aux heures suivantes : {hours}.",
            "ar": "نجيب في هذه الأوقات: {hours}.",
            "nl": "Wij antwoorden op deze tijden: {hours}.",
        },
    ),
    (
        "passport",
        "Passport renewal",
        {
            "es": "Para renovar el pasaporte necesita el pasaporte anterior, una foto reciente "
            "y cita previa. Cite la referencia {reference} si vuelve a escribirnos.",
            "en": "To renew a passport you need the old passport, a recent photo and an "
            "appointment. Quote reference {reference} if you write again.",
            "fr": "Pour renouveler un passeport, il faut l'ancien passeport, une photo récente "
            "et un rendez-vous. Indiquez la référence {reference} si vous nous réécrivez.",
            "ar": "لتجديد جواز السفر تحتاج إلى الجواز القديم وصورة حديثة وموعد. "
            "اذكر الرقم المرجعي {reference} إذا راسلتنا مرة أخرى.",
        },
    ),
]


@dataclass(frozen=True)
class Demo:
    logins: list[Login]
    webchat: str  # the path of the demo web chat's page
    portal: str  # the path of the demo portal form
    help_centre: str  # the path of the demo guide's public pages
    application_status: str  # the path of the demo's application-status page


def load() -> Demo:
    """Create the demo desk, staff, channels and conversations if missing."""
    with transaction.atomic():
        desk, created = Desk.objects.get_or_create(
            slug=DESK,
            defaults={
                "name": "Consular information line (demo)",
                "timezone": "Europe/Madrid",
                "languages": ["es", "ar", "fr", "en", "nl"],
                "hours": HOURS,
                "holidays": ["01-01", "01-06", "05-01", "10-12", "12-08", "12-25"],
                "special_days": {"2026-12-24": [["09:00", "13:00"]]},
                "emergency_phone": "112",
                "assignment": Assignment.LEAST_LOADED,
                # What people wrote goes 90 days after their question is answered; the
                # privacy notice says so (docs/privacy.md).
                "content_retention_days": 90,
            },
        )
        if created:
            add_default_request_types(desk=desk, by=None)
        users = _staff(desk)
        channels = _channels(desk)
        if created:
            _conversations(desk, users, channels)
            _surveys(desk, users, channels)
            draw(desk=desk, week=timezone.localdate())  # this week's quality reviews
            _calls(desk, channels["twilio-voice"])
        _directory(desk)
        if created:
            _referral(desk, users)
        import_articles(entries=entries_from(GUIDE), by=None)  # by key: again, no change
        if created:
            _switch_the_bot_on(desk)
            _route_and_look_up(desk)
        _name_in_every_language(desk)
    return Demo(
        LOGINS,
        f"/webchat/{channels['webchat'].pk}/",
        f"/help/{desk.slug}/request/",
        f"/help/{desk.slug}/",
        f"/help/{desk.slug}/es/status/",
    )


def _name_in_every_language(desk: Desk) -> None:
    """The desk, its teams, the guide's topics, the canned responses, the services people
    apply for and the posts complaints concern, named in the eight languages ventanilla ships
    (server/demo_names.py); the request types and the categories of complaints got theirs
    with the desk (desks/defaults.py, accountability/defaults.py)."""
    Desk.objects.filter(pk=desk.pk).update(names=demo_names.DESK)
    for slug, names in demo_names.TEAMS.items():
        Team.objects.filter(desk=desk, slug=slug).update(names=names)
    for key, names in demo_names.TOPICS.items():
        Topic.objects.filter(key=key).update(names=names)
    for shortcut, names in demo_names.CANNED.items():
        CannedResponse.objects.filter(desk=desk, shortcut=shortcut).update(names=names)
    for service, names in demo_names.SERVICES.items():
        ApplicationService.objects.filter(desk=desk, name=service).update(names=names)
    for slug, names in demo_names.POSTS.items():
        if not Post.objects.filter(desk=desk, slug=slug).exists():
            save_post(desk=desk, slug=slug, name=names[desk.languages[0]], names=names, by=None)


def _directory(desk: Desk) -> None:
    """The demo's directory of services (server/demo_directory.py), by key: again, no change."""
    main = desk.languages[0]
    for name, names in demo_directory.ORGANISATIONS.items():
        save_organisation(desk=desk, name=name, names=names, by=None)
    for entry in demo_directory.SERVICES:
        values = {k: v for k, v in entry.items() if k not in ("key", "descriptions")}
        values["name"] = entry["names"][main]
        values["description"] = entry["descriptions"][main]
        values["descriptions"] = entry["descriptions"]
        save_service(desk=desk, key=entry["key"], values=values, by=None)
    protection = Team.objects.get(desk=desk, slug="protection")  # it reads the reports
    save_referral_settings(desk=desk, protection_team=protection, by=None)


def _referral(desk: Desk, users: dict[str, User]) -> None:
    """The person without health insurance is referred to the clinic (told on the phone)."""
    asked = Message.objects.filter(provider_id="demo-3", conversation__desk=desk).first()
    if asked is None:
        return
    clinic = Service.objects.get(desk=desk, key="huisarts-amsterdam")
    refer(
        conversation=asked.conversation, to=[clinic], by=users["joris"], consent=True,
        follow_up=True, send=False, note="Given the address by phone; will go on Monday.",
    )  # fmt: skip


def _switch_the_bot_on(desk: Desk) -> None:
    """The bot answers the demo's web chat from the guide; abuse goes to a person at once."""
    Topic.objects.filter(key="abuse-and-emergencies").update(sensitive=True)
    BotSettings.objects.update_or_create(
        desk=desk, defaults={"enabled": True, "enabled_at": timezone.now()}
    )


def _route_and_look_up(desk: Desk) -> None:
    """Routing rules to the desk's teams, and applications whose status people can ask."""
    teams = {team.slug: team for team in desk.teams.all()}
    Team.objects.filter(pk=teams["interpretation"].pk).update(interpretation=True)
    for position, (request_type, team, notify) in enumerate(RULES):
        add_rule(
            desk=desk,
            by=None,
            position=position,
            name=f"{request_type} to {team}",
            request_type=RequestType.objects.get(desk=desk, slug=request_type),
            team=teams[team],
            notify=notify,
        )
    Topic.objects.filter(key="abuse-and-emergencies").update(request_type="rights-violation")
    rows = [Row(f"application {n}", *row) for n, row in enumerate(APPLICATIONS, start=1)]
    import_applications(desk=desk, rows=rows, by=None)


# People who asked, were answered and then answered the survey, through the real steps:
# channel, address, language, question, agent, answer, score, solved, comment.
SURVEYED = [
    ("webchat", "demo-visitor-s1", "es", "¿Cuánto tarda en llegar el pasaporte renovado?",
     "lucia", "Unas tres semanas; le avisamos por SMS.", "5", "1", "Muy clara, gracias."),
    ("whatsapp", "+447700900111", "ar", "هل يمكنني تجديد جواز السفر دون موعد؟",
     "amal", "لا، يجب حجز موعد عبر الموقع.", "4", "1", ""),
    ("webchat", "demo-visitor-s2", "fr", "Je n'ai pas reçu ma carte consulaire.",
     "amal", "Elle est au consulat de Madrid : venez la chercher avec votre reçu.", "2", "2",
     "Trois semaines sans réponse avant cela."),
    ("whatsapp", "+447700900112", "en", "Can my child be added to my passport?",
     "joris", "No: each child needs their own passport. Book one appointment per child.",
     "3", "1", ""),
    ("webchat", "demo-visitor-s3", "es", "¿Dónde me empadrono si no tengo contrato?",
     "lucia", "En su ayuntamiento, con un informe de los servicios sociales.", "5", "1", ""),
    ("whatsapp", "+447700900113", "nl", "Waar kan ik terecht voor gratis juridisch advies?",
     "joris", "Bij het Juridisch Loket; de adressen staan in onze gids.", "4", "2", ""),
]  # fmt: skip


def _surveys(desk: Desk, users: dict[str, User], channels: dict[str, Channel]) -> None:
    """Six people asked, were answered and resolved, and answered the survey on their
    channel, each message going through triage as it would."""
    save_settings(desk=desk, changes={"enabled": True, "template": "encuesta"}, by=None)
    for n, (kind, address, language, question, agent, answer, *replies) in enumerate(SURVEYED):
        scheme = "webchat" if kind == "webchat" else "tel"
        asked = Inbound(provider_id=f"demo-s{n}", scheme=scheme, address=address, text=question)
        conversation = _written(channels[kind], asked).conversation
        conversations.update(conversation=conversation, by=users["sofia"],
                             changes={"language": language, "assignee": agent})  # fmt: skip
        conversations.reply(conversation=conversation, text=answer, by=users[agent])
        conversations.resolve(conversation=conversation, by=users[agent], outcome="answered")
        offer(conversation_id=conversation.pk)
        for step, text in zip(("score", "solved", "comment"), replies, strict=True):
            said = Inbound(provider_id=f"demo-s{n}-{step}", scheme=scheme, address=address,
                           text=text or "no")  # fmt: skip
            _written(channels[kind], said)


def _written(channel: Channel, inbound: Inbound) -> Message:
    """A person's message, received and triaged as it would be."""
    message = receive(channel=channel, inbound=inbound).message
    triage(message.pk)
    return message


def _channels(desk: Desk) -> dict[str, Channel]:
    made = {}
    for kind, name, config in (
        ("webchat", "Web chat", {}),
        ("portal", "Web form", {}),
        ("whatsapp", "WhatsApp (demo, not connected)", DEMO_WHATSAPP),
        ("twilio-voice", "Phone line", {**DEMO_PHONE_LINE, "auth_token": secrets.token_hex(16)}),
    ):
        existing = Channel.objects.filter(desk=desk, type=kind).first()
        made[kind] = existing or create_channel(
            desk=desk, type=kind, name=name, config=config, by=None
        )
    line = flow.line_of(made["twilio-voice"])
    if not line.languages:
        update_line(line=line, changes={"languages": desk.languages[:9]}, by=None)
    return made


def _calls(desk: Desk, channel: Channel) -> None:
    """Two calls through the real call flow, pressing the keys a caller would press: the
    person calls in Arabic and hangs up, then calls again and asks to be called back (in
    the queue when the desk is open, in the closed menu when it is not)."""
    arabic = str(desk.languages.index("ar") + 1)

    def press(sid: str, action: str, **report: Any) -> None:
        heard = {"status": "in-progress", "direction": "inbound", **report}
        flow.answer(channel, CallEvent(sid, action, caller=CALLER, called=channel.address, **heard))

    def ended(sid: str, seconds: int) -> None:
        press(sid, "status", status="completed", duration_seconds=seconds)

    first, second = "CA" + "de70" * 7 + "0001", "CA" + "de70" * 7 + "0002"
    press(first, "", status="ringing")
    press(first, "language", digits=arabic)
    if not Call.objects.get(channel=channel, call_sid=first).out_of_hours:
        press(first, "topic", digits="2")  # the status of an application
        press(first, "wait", queue_seconds=45, queue_position=1)
    ended(first, 70)  # hung up while waiting, or in the closed menu

    press(second, "", status="ringing")
    press(second, "language", digits=arabic)
    if Call.objects.get(channel=channel, call_sid=second).out_of_hours:
        press(second, "closed", digits="2")  # to be called back when the desk opens
    else:
        waited = flow.line_of(channel).callback_after_seconds + 15
        press(second, "topic", digits="2")
        press(second, "wait", queue_seconds=waited, queue_position=1)
        press(second, "wait-choice", digits="1")  # to be called back instead of waiting
        press(second, "queued", queue_result="leave", queue_seconds=waited)
    ended(second, 160)


def _staff(desk: Desk) -> dict[str, User]:
    teams = {
        slug: Team.objects.get_or_create(desk=desk, slug=slug, defaults={"name": name})[0]
        for slug, name in TEAMS.items()
    }
    users = {}
    for login in LOGINS:
        existing = get_user_model().objects.filter(username=login.username).first()
        user = enrol_staff(
            username=login.username,
            role=Role(login.role),
            desks=[desk],
            languages=list(login.languages),
        )
        if existing is None:
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
        AgentProfile.objects.get(user=user).teams.add(*(teams[slug] for slug in login.teams))
        users[login.username] = user
    return users


def _conversations(desk: Desk, users: dict[str, User], channels: dict[str, Channel]) -> None:
    found = {}
    for channel, address, provider_id, language, text, request_type in MESSAGES:
        message = receive(
            channel=channels[channel],
            inbound=Inbound(
                provider_id=provider_id,
                scheme="webchat" if channel == "webchat" else "tel",
                address=address,
                text=text,
            ),
        ).message
        conversation = message.conversation
        conversations.update(
            conversation=conversation,
            by=users["sofia"],
            changes={
                "language": language,
                **({"request_type": request_type} if request_type else {}),
            },
        )
        found[provider_id] = conversation
    by = users
    conversations.update(
        conversation=found["demo-1"], by=by["sofia"], changes={"assignee": "lucia"}
    )
    conversations.reply(
        conversation=found["demo-1"],
        text="Hola. Para renovar el pasaporte necesita su pasaporte anterior, una foto reciente "
        "y pedir cita previa. ¿Desde qué país nos escribe?",
        by=by["lucia"],
    )
    conversations.update(
        conversation=found["demo-3"], by=by["sofia"], changes={"assignee": "joris"}
    )
    conversations.note(
        conversation=found["demo-3"],
        text="Refer to the free clinic for people without insurance; check opening days first.",
        by=by["joris"],
    )
    conversations.reply(
        conversation=found["demo-4"],
        text="Bonjour. Déclarez la perte à la police, puis prenez rendez-vous au consulat avec "
        "la déclaration et une photo d'identité.",
        by=by["amal"],
    )
    conversations.resolve(conversation=found["demo-4"], by=by["amal"], outcome="answered")
    conversations.update(
        conversation=found["demo-5"],
        by=by["sofia"],
        changes={"priority": "urgent", "assignee": "sofia"},
    )
    teamwork.write_note(
        conversation=found["demo-5"],
        text="Possible labour exploitation: offer the protection team's call-back today. "
        "@lucia can you take the call?",
        by=by["sofia"],
    )
    teamwork.escalate(
        conversation=found["demo-5"],
        team=desk.teams.get(slug="protection"),
        reason="Passport withheld by the employer: protection team to call back.",
        by=by["sofia"],
    )
    conversations.set_tags(
        conversation=found["demo-5"], names=["labour", "passport withheld"], by=by["sofia"]
    )
    teamwork.hand_over(
        desk=desk,
        by=by["lucia"],
        text="Quiet morning. Two people asked about passports; the clinic list is in /clinic.",
        pending=[
            teamwork.Pending(found["demo-1"], "Waiting to hear which country she writes from."),
        ],
    )
    for shortcut, title, texts in CANNED:
        teamwork.save_canned_response(
            by=by["sofia"], desk=desk, shortcut=shortcut, title=title, texts=texts
        )
