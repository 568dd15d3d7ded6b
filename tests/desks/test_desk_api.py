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


def test_supervisors_cannot_change_a_desk(api_as, supervisor, desk):
    response = api_as(supervisor).patch("/api/v1/desks/default", {"name": "Mine now"})
    assert response.status_code == 403


def test_request_types_are_added_and_listed(api_as, administrator, agent, desk):
    body = {
        "slug": "application-status",
        "name": "Status of an application",
        "first_response_hours": 24,
        "resolution_hours": 48,
    }
    response = api_as(administrator).post("/api/v1/desks/default/request-types", body)
    assert response.status_code == 201, response.content
    assert response.json() == {**body, "business_hours": False}
    listed = api_as(agent).get("/api/v1/desks/default/request-types").json()
    assert [rt["slug"] for rt in listed] == ["application-status"]
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
