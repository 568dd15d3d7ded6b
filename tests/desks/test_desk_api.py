import pytest
from django.utils import translation
from django.utils.translation import gettext

from ventanilla.conversations.inbound import receive
from ventanilla.desks.defaults import DEFAULT_REQUEST_TYPES
from ventanilla.desks.models import Desk, RequestType, Team
from ventanilla.desks.services import add_default_request_types
from ventanilla.privacy.models import AuditEntry


def test_staff_read_their_desk(api_as, agent, desk):
    response = api_as(agent).get("/api/v1/desks/default")
    assert response.status_code == 200
    assert response.json()["slug"] == "default"
    assert [d["slug"] for d in api_as(agent).get("/api/v1/desks").json()] == ["default"]


def test_a_desk_one_does_not_work_at_is_not_found(api_as, agent, other_desk):
    response = api_as(agent).get("/api/v1/desks/elsewhere")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_an_administrator_changes_a_desk_and_it_is_audited(api_as, administrator, desk):
    response = api_as(administrator).patch(
        "/api/v1/desks/default",
        {
            "name": "Consulado de Honduras",
            "timezone": "America/Tegucigalpa",
            "languages": ["es", "en"],
        },
    )
    assert response.status_code == 200, response.content
    desk.refresh_from_db()
    assert (desk.name, desk.timezone, desk.languages) == (
        "Consulado de Honduras",
        "America/Tegucigalpa",
        ["es", "en"],
    )
    assert AuditEntry.objects.filter(action="desk.update", actor=administrator).exists()


def test_bad_desk_values_are_refused_and_nothing_changes(api_as, administrator, desk):
    for body, message in [
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"languages": ["es", "Spanish!"]}, "language code"),
        ({"languages": ["es", "es"]}, "must not repeat"),
        ({"name": ""}, "name"),
    ]:
        response = api_as(administrator).patch("/api/v1/desks/default", body)
        assert response.status_code == 422, body
        assert message in response.json()["detail"]
    desk.refresh_from_db()
    assert desk.timezone == "UTC"


def test_the_reporting_language_and_the_smallest_anonymised_group(api_as, administrator, desk):
    desk.languages = ["ar", "fr"]
    desk.save()
    api = api_as(administrator)
    assert api.get("/api/v1/desks/default").json()["report_language"] == ""
    assert desk.reporting_language() == "ar"  # the main language, which reports speak
    response = api.patch("/api/v1/desks/default", {"report_language": "fr", "k_anonymity": 10})
    assert response.status_code == 200, response.content
    assert (response.json()["report_language"], response.json()["k_anonymity"]) == ("fr", 10)
    for body, message in [
        ({"report_language": "pt"}, "report_language"),
        ({"k_anonymity": 1}, "k_anonymity"),
    ]:
        refused = api.patch("/api/v1/desks/default", body)
        assert refused.status_code == 422, body
        assert message in refused.json()["detail"]
    desk.refresh_from_db()
    assert (desk.reporting_language(), desk.k_anonymity) == ("fr", 10)
    desk.languages, desk.report_language = ["pt"], ""
    assert desk.reporting_language() == "en"  # reports do not speak Portuguese


def test_supervisors_cannot_change_a_desk(api_as, supervisor, desk):
    response = api_as(supervisor).patch("/api/v1/desks/default", {"name": "Mine now"})
    assert response.status_code == 403


def test_request_types_are_added_and_listed(api_as, administrator, agent, desk):
    body = {
        "slug": "passport-renewal",
        "name": "Renewal of a passport",
        "first_response_hours": 24,
        "resolution_hours": 48,
    }
    response = api_as(administrator).post("/api/v1/desks/default/request-types", body)
    assert response.status_code == 201, response.content
    assert response.json() == {
        **body,
        "names": {},
        "business_hours": False,
        "warning_percent": 80,
        "urgent": False,
        "restricted": False,
        "default": False,
        "content_retention_days": None,  # the desk's
    }
    listed = api_as(agent).get("/api/v1/desks/default/request-types").json()
    # Beside the ones every desk starts with (desks/defaults.py), in the order of their names.
    assert [rt["slug"] for rt in listed] == [
        "complaint",
        "conditions",
        "legal",
        "other",
        "passport-renewal",
        "rights-violation",
        "application-status",
        "suggestion",
    ]
    again = api_as(administrator).post("/api/v1/desks/default/request-types", body)
    assert again.status_code == 409
    bad = api_as(administrator).post(
        "/api/v1/desks/default/request-types", {"slug": "Bad Slug", "name": "x"}
    )
    assert bad.status_code == 422
    assert api_as(agent).post("/api/v1/desks/default/request-types", body).status_code == 403


def test_a_desks_weekly_hours_are_set_and_read_through_the_api(api_as, administrator, desk):
    api = api_as(administrator)
    hours = {"mon": [["08:00", "14:00"]], "sun": []}
    response = api.patch(f"/api/v1/desks/{desk.slug}", {"hours": hours})
    assert response.status_code == 200, response.content
    assert api.get(f"/api/v1/desks/{desk.slug}").json()["hours"] == hours
    refused = api.patch(f"/api/v1/desks/{desk.slug}", {"hours": {"mon": [["14:00", "08:00"]]}})
    assert refused.status_code == 422 and "hours" in refused.json()["detail"]
    assert api.get(f"/api/v1/desks/{desk.slug}").json()["hours"] == hours


# Calendars: holidays, special days, an emergency number, and how work is assigned.


def test_a_desks_calendar_is_set_and_read_through_the_api(api_as, administrator, desk):
    api = api_as(administrator)
    calendar = {
        "holidays": ["2026-12-25", "01-01"],
        "special_days": {"2026-12-24": [["08:00", "12:00"]], "2026-05-02": []},
        "emergency_phone": "+34 900 000 000",
        "assignment": "least-loaded",
    }
    response = api.patch(f"/api/v1/desks/{desk.slug}", calendar)
    assert response.status_code == 200, response.content
    read = api.get(f"/api/v1/desks/{desk.slug}").json()
    assert {key: read[key] for key in calendar} == calendar
    desk.refresh_from_db()
    assert desk.holidays == ["2026-12-25", "01-01"] and desk.assignment == "least-loaded"
    entry = AuditEntry.objects.filter(action="desk.update").latest("pk")
    assert entry.detail["fields"] == sorted(calendar)
    cleared = api.patch(
        f"/api/v1/desks/{desk.slug}", {"holidays": [], "special_days": {}, "emergency_phone": ""}
    )
    assert cleared.status_code == 200, cleared.content
    assert (cleared.json()["holidays"], cleared.json()["special_days"]) == ([], {})
    assert cleared.json()["emergency_phone"] == ""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"holidays": ["2026-13-01"]}, "holidays"),
        ({"holidays": ["12-32"]}, "holidays"),
        ({"holidays": ["01-01", "01-01"]}, "must not repeat"),
        ({"holidays": "2026-12-25"}, "holidays"),
        ({"special_days": {"tomorrow": []}}, "special_days"),
        ({"special_days": {"2026-12-24": [["12:00", "08:00"]]}}, "special_days"),
        ({"special_days": {"2026-12-24": [["8:00", "12:00"]]}}, "special_days"),
        ({"special_days": []}, "special_days"),
        ({"emergency_phone": "call the police"}, "emergency_phone"),
        ({"emergency_phone": "+"}, "emergency_phone"),
        ({"assignment": "whoever"}, "assignment"),
        ({"assignment": ""}, "assignment"),
    ],
)
def test_calendars_that_make_no_sense_are_refused(api_as, administrator, desk, body, message):
    response = api_as(administrator).patch(f"/api/v1/desks/{desk.slug}", body)
    assert response.status_code == 422, response.content
    assert response.json()["error"] == "invalid" and message in response.json()["detail"]
    desk.refresh_from_db()
    assert (desk.holidays, desk.special_days, desk.emergency_phone) == ([], {}, "")
    assert desk.assignment == "manual"


def test_the_calendar_gives_the_open_periods_between_two_days_in_local_time(api_as, agent, desk):
    Desk.objects.filter(pk=desk.pk).update(
        timezone="Europe/Madrid",
        hours={
            "fri": [["09:00", "14:00"]],
            "sat": [["22:00", "24:00"]],
            "sun": [["00:00", "02:00"]],
        },
        holidays=["03-30"],
        special_days={"2026-03-31": [["10:00", "12:00"]]},
    )
    # Summer time starts in Madrid in the night from Saturday 28 to Sunday 29 March 2026.
    response = api_as(agent).get(
        f"/api/v1/desks/{desk.slug}/calendar?from=2026-03-27&to=2026-03-31"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "timezone": "Europe/Madrid",
        "team": None,
        "periods": [
            {"opens": "2026-03-27T09:00:00+01:00", "closes": "2026-03-27T14:00:00+01:00"},
            # Saturday night and Sunday's first hours are one period, four hours long: the
            # clocks go from 02:00 straight to 03:00, so closing at 02:00 reads 03:00.
            {"opens": "2026-03-28T22:00:00+01:00", "closes": "2026-03-29T03:00:00+02:00"},
            {"opens": "2026-03-31T10:00:00+02:00", "closes": "2026-03-31T12:00:00+02:00"},
        ],
        "open_hours": 5 + 4 + 2,
    }


def test_a_teams_calendar_can_be_looked_at_on_its_own(api_as, administrator, desk):
    team = Team.objects.create(
        desk=desk, name="Legal", slug="legal", hours={"mon": [["10:00", "12:00"]]}
    )
    Desk.objects.filter(pk=desk.pk).update(hours={"mon": [["08:00", "20:00"]]})
    api = api_as(administrator)
    path = f"/api/v1/desks/{desk.slug}/calendar?from=2026-06-08&to=2026-06-08"
    assert api.get(path).json()["open_hours"] == 12
    of_team = api.get(f"{path}&team={team.slug}").json()
    assert (of_team["team"], of_team["open_hours"]) == ("legal", 2)
    refused = api.get(f"{path}&team=nobody")
    assert refused.status_code == 422 and "team" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-06-10&to=2026-06-09", "before"),
        ("from=2026-06-01&to=2026-08-02", "62 days"),
        ("from=2026-06-01", "to"),
        ("from=yesterday&to=2026-06-09", "from"),
        ("from=2026-02-30&to=2026-03-01", "from"),
        ("", "from"),
    ],
)
def test_a_calendar_asked_for_badly_is_refused(api_as, agent, desk, query, message):
    response = api_as(agent).get(f"/api/v1/desks/{desk.slug}/calendar?{query}")
    assert response.status_code == 422, response.content
    assert message in response.json()["detail"]


def test_a_calendar_of_62_days_is_given(api_as, agent, desk):
    Desk.objects.filter(pk=desk.pk).update(hours={"mon": [["08:00", "09:00"]]})
    response = api_as(agent).get(
        f"/api/v1/desks/{desk.slug}/calendar?from=2026-06-01&to=2026-08-01"
    )
    assert response.status_code == 200 and response.json()["open_hours"] == 9


# Teams


def test_a_team_gets_a_calendar_of_its_own_through_the_api(api_as, administrator, agent, desk):
    Team.objects.create(desk=desk, name="Legal advice", slug="legal")
    api = api_as(administrator)
    (listed,) = api.get(f"/api/v1/desks/{desk.slug}/teams").json()
    assert listed == {
        "slug": "legal",
        "name": "Legal advice",
        "names": {},
        "hours": None,
        "holidays": [],
        "special_days": {},
        "interpretation": False,
        "assignment": "",
    }
    own = {
        "hours": {"mon": [["10:00", "14:00"]]},
        "holidays": ["2026-06-15"],
        "special_days": {"2026-06-16": []},
        "interpretation": True,
        "assignment": "round-robin",
    }
    response = api.patch(f"/api/v1/desks/{desk.slug}/teams/legal", own)
    assert response.status_code == 200, response.content
    assert response.json() == {**listed, **own}
    assert AuditEntry.objects.filter(action="team.update", actor=administrator).exists()
    assert api_as(agent).patch(f"/api/v1/desks/{desk.slug}/teams/legal", own).status_code == 403
    assert api.patch(f"/api/v1/desks/{desk.slug}/teams/nobody", own).status_code == 404
    back = api.patch(f"/api/v1/desks/{desk.slug}/teams/legal", {"hours": {}})
    assert back.status_code == 422 and "holidays" in back.json()["detail"]
    back = api.patch(
        f"/api/v1/desks/{desk.slug}/teams/legal",
        {"hours": {}, "holidays": [], "special_days": {}},
    )
    assert back.status_code == 200 and back.json()["hours"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"hours": {"mon": [["14:00", "10:00"]]}},
        {"hours": {"mon": [["10:00", "14:00"]]}, "holidays": ["someday"]},
        {"holidays": ["2026-06-15"]},  # without hours of its own, they would be ignored
        {"special_days": {"2026-06-16": []}},
        {"assignment": "whoever"},
    ],
)
def test_team_calendars_that_make_no_sense_are_refused(api_as, administrator, desk, body):
    Team.objects.create(desk=desk, name="Legal advice", slug="legal")
    response = api_as(administrator).patch(f"/api/v1/desks/{desk.slug}/teams/legal", body)
    assert response.status_code == 422, response.content
    team = Team.objects.get()
    assert (team.hours, team.holidays, team.special_days, team.assignment) == (None, [], {}, "")


# Request types: their service levels, the urgent ones, the default one.


def request_types(desk):
    return {rt.slug: rt for rt in RequestType.objects.filter(desk=desk)}


def test_a_request_type_is_changed_and_its_targets_cleared(api_as, administrator, agent, desk):
    api = api_as(administrator)
    path = f"/api/v1/desks/{desk.slug}/request-types/complaint"
    response = api.patch(
        path,
        {"name": "Queja", "warning_percent": 50, "urgent": True, "first_response_hours": None},
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "slug": "complaint",
        "name": "Queja",
        "names": {},
        "first_response_hours": None,
        "resolution_hours": 360,
        "business_hours": False,
        "warning_percent": 50,
        "urgent": True,
        "restricted": False,
        "default": False,
        "content_retention_days": None,
    }
    entry = AuditEntry.objects.filter(action="request_type.update", actor=administrator).get()
    assert entry.detail["fields"] == ["first_response_hours", "name", "urgent", "warning_percent"]
    for body in ({"warning_percent": 100}, {"warning_percent": 0}, {"name": ""}):
        refused = api.patch(path, body)
        assert refused.status_code == 422, body
    assert api.patch(f"/api/v1/desks/{desk.slug}/request-types/nothing", {}).status_code == 404
    assert api_as(agent).patch(path, {"urgent": False}).status_code == 403
    assert request_types(desk)["complaint"].warning_percent == 50


def test_a_desk_has_one_default_request_type(api_as, administrator, desk):
    api = api_as(administrator)
    assert [slug for slug, rt in request_types(desk).items() if rt.default] == ["other"]
    response = api.patch(f"/api/v1/desks/{desk.slug}/request-types/conditions", {"default": True})
    assert response.status_code == 200 and response.json()["default"] is True
    assert [slug for slug, rt in request_types(desk).items() if rt.default] == ["conditions"]
    body = {"slug": "visa", "name": "Visa", "default": True, "warning_percent": 90}
    created = api.post(f"/api/v1/desks/{desk.slug}/request-types", body)
    assert created.status_code == 201 and created.json()["warning_percent"] == 90
    assert [slug for slug, rt in request_types(desk).items() if rt.default] == ["visa"]
    api.patch(f"/api/v1/desks/{desk.slug}/request-types/visa", {"default": False})
    assert [slug for slug, rt in request_types(desk).items() if rt.default] == []


def test_a_request_type_removed_leaves_its_conversations_without_one(
    api_as, administrator, agent, webchat, make_inbound
):
    conversation = receive(channel=webchat, inbound=make_inbound()).message.conversation
    assert conversation.request_type.slug == "other"  # the desk's default
    path = f"/api/v1/desks/{webchat.desk.slug}/request-types/other"
    assert api_as(agent).client.delete(path, headers=api_as(agent).headers).status_code == 403
    admin_api = api_as(administrator)
    response = admin_api.client.delete(path, headers=admin_api.headers)
    assert response.status_code == 204, response.content
    conversation.refresh_from_db()
    assert conversation.request_type is None and conversation.status == "open"
    entry = AuditEntry.objects.get(action="request_type.delete")
    assert entry.detail == {"desk": "default", "slug": "other"}
    assert admin_api.client.delete(path, headers=admin_api.headers).status_code == 404


# The request types every desk starts with.


def test_a_desk_gets_the_default_request_types_in_its_main_language(desk, administrator):
    spanish = Desk.objects.create(slug="es", name="Consulado", languages=["es-MX", "en"])
    created = add_default_request_types(desk=spanish, by=administrator)
    assert [rt.slug for rt in created] == [fields["slug"] for fields in DEFAULT_REQUEST_TYPES]
    with translation.override("es"):
        expected = {fields["slug"]: gettext(fields["name"]) for fields in DEFAULT_REQUEST_TYPES}
    assert {rt.slug: rt.name for rt in created} == expected
    other = RequestType.objects.get(desk=spanish, slug="other")
    assert (other.default, other.first_response_hours, other.resolution_hours) == (True, 48, 72)
    assert RequestType.objects.get(desk=spanish, slug="rights-violation").urgent
    assert AuditEntry.objects.filter(action="request_type.create_defaults").exists()
    # Those it has are left alone, and nothing is made twice.
    assert add_default_request_types(desk=spanish, by=administrator) == []
    tamazight = Desk.objects.create(slug="zgh", name="Tamazight", languages=["zgh"])
    RequestType.objects.create(desk=tamazight, slug="complaint", name="Tamusni", default=True)
    made = {rt.slug: rt for rt in add_default_request_types(desk=tamazight, by=None)}
    assert "complaint" not in made and made["other"].name == "ⵢⴰⴹⵏ"  # as shipped
    assert not made["other"].default  # the desk already had its default
    assert RequestType.objects.get(desk=tamazight, slug="complaint").name == "Tamusni"


def admin_form(**fields):
    """The admin's desk form as a browser posts it, with its two (empty) inline lists."""
    data = {
        "name": "Consulado en Rabat",
        "slug": "rabat",
        "reference_prefix": "RB",
        "languages": '["fr", "ar"]',
        "assignment": "manual",
        "timezone": "Africa/Casablanca",
        "hours": '{"mon": [["09:00", "14:00"]]}',
        "holidays": "[]",
        "special_days": "{}",
        "emergency_phone": "",
        "k_anonymity": "5",  # the smallest group shown in anonymised data
    }
    for prefix in ("teams", "request_types"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return {**data, **fields}


def test_a_desk_made_in_the_admin_starts_with_the_default_request_types(client, administrator):
    client.force_login(administrator)
    response = client.post("/admin/desks/desk/add/", admin_form())
    assert response.status_code == 302, response.context["errors"]
    rabat = Desk.objects.get(slug="rabat")
    with translation.override("fr"):
        assert request_types(rabat)["other"].name == gettext("Other")
    assert set(request_types(rabat)) == {fields["slug"] for fields in DEFAULT_REQUEST_TYPES}


def test_request_types_typed_in_with_a_new_desk_are_kept(client, administrator):
    client.force_login(administrator)
    inline = {
        "request_types-TOTAL_FORMS": "1",
        "request_types-0-slug": "complaint",
        "request_types-0-name": "Réclamation",
        "request_types-0-warning_percent": "80",
        "request_types-0-default": "on",
    }
    response = client.post("/admin/desks/desk/add/", admin_form(**inline))
    assert response.status_code == 302, response.context["errors"]
    made = request_types(Desk.objects.get(slug="rabat"))
    assert made["complaint"].name == "Réclamation" and len(made) == len(DEFAULT_REQUEST_TYPES)
    assert [slug for slug, rt in made.items() if rt.default] == ["complaint"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hours", "[]"),
        ("hours", '{"mon": [["14:00", "09:00"]]}'),
        ("holidays", "{}"),
        ("holidays", '["2026-02-30"]'),
        ("special_days", "[]"),
        ("special_days", '{"2026-12-24": [["08:00"]]}'),
        ("emergency_phone", "nobody"),
    ],
)
def test_the_admin_refuses_a_calendar_that_makes_no_sense(client, administrator, field, value):
    client.force_login(administrator)
    response = client.post("/admin/desks/desk/add/", admin_form(**{field: value}))
    assert response.status_code == 200  # the form again, with the error
    assert field in response.context["adminform"].form.errors
    assert not Desk.objects.filter(slug="rabat").exists()


def test_the_admin_refuses_a_team_with_days_of_its_own_but_no_hours(client, administrator, desk):
    client.force_login(administrator)
    base = {"desk": desk.pk, "name": "Legal", "slug": "legal", "assignment": ""}
    refused = client.post(
        "/admin/desks/team/add/",
        {**base, "hours": "", "holidays": '["2026-06-15"]', "special_days": "{}"},
    )
    assert refused.status_code == 200 and "opening hours of its own" in refused.content.decode()
    kept = client.post(
        "/admin/desks/team/add/",
        {**base, "hours": "", "holidays": "[]", "special_days": "{}", "interpretation": "on"},
    )
    assert kept.status_code == 302
    team = Team.objects.get()
    assert (team.hours, team.interpretation) == (None, True)
    assert client.get(f"/admin/desks/team/{team.pk}/change/").status_code == 200
    assert client.get(f"/admin/desks/desk/{desk.pk}/change/").status_code == 200
