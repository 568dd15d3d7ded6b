import pytest

from ventanilla.desks.models import Desk, RequestType, Team
from ventanilla.privacy.models import AuditEntry

ARABIC = {"ar": "خط المعلومات القنصلية", "fr": "Ligne d'information consulaire"}


def test_a_desk_takes_names_in_other_languages_through_the_api(api_as, administrator, desk):
    api = api_as(administrator)
    response = api.patch("/api/v1/desks/default", {"names": ARABIC})
    assert response.status_code == 200, response.content
    assert response.json()["names"] == ARABIC
    assert response.json()["name"] == "Default desk"  # the main language's stays
    assert api.get("/api/v1/desks/default").json()["names"] == ARABIC
    desk.refresh_from_db()
    assert (desk.name_in("ar"), desk.name_in("ar-MA"), desk.name_in("nl")) == (
        ARABIC["ar"],
        ARABIC["ar"],
        "Default desk",
    )
    entry = AuditEntry.objects.filter(action="desk.update").latest("pk")
    assert entry.detail["fields"] == ["names"]


def test_a_team_takes_names_in_other_languages_through_the_api(api_as, administrator, desk):
    Team.objects.create(desk=desk, name="Asesoría jurídica", slug="legal")
    api = api_as(administrator)
    names = {"ar": "الاستشارة القانونية", "zgh": "ⴰⵙⵓⵔⵙ ⴰⵣⵔⴼⴰⵏ"}
    response = api.patch("/api/v1/desks/default/teams/legal", {"names": names})
    assert response.status_code == 200, response.content
    (listed,) = api.get("/api/v1/desks/default/teams").json()
    assert (listed["name"], listed["names"]) == ("Asesoría jurídica", names)
    cleared = api.patch("/api/v1/desks/default/teams/legal", {"names": {}})
    assert cleared.json()["names"] == {} and Team.objects.get().names == {}


def test_a_request_type_is_added_and_changed_with_its_names(api_as, administrator, desk):
    api = api_as(administrator)
    names = {"es": "Renovación del pasaporte", "ar": "تجديد جواز السفر"}
    body = {"slug": "passport", "name": "Passport renewal", "names": names}
    response = api.post("/api/v1/desks/default/request-types", body)
    assert response.status_code == 201, response.content
    assert response.json()["names"] == names
    listed = {rt["slug"]: rt for rt in api.get("/api/v1/desks/default/request-types").json()}
    assert listed["passport"]["names"] == names
    changed = {**names, "fr": "Renouvellement du passeport"}
    response = api.patch("/api/v1/desks/default/request-types/passport", {"names": changed})
    assert response.status_code == 200 and response.json()["names"] == changed
    assert RequestType.objects.get(desk=desk, slug="passport").name_in("fr") == changed["fr"]


BAD_NAMES = [
    ({"ar": ""}, "non-empty"),
    ({"ar": "   "}, "non-empty"),
    ({"Arabic!": "اسم"}, "language code"),
    ({"ar": "ب" * 121}, "longer than 120"),
    (["ar", "اسم"], "names"),
    ({"ar": 7}, "names"),
    ({"ar": None}, "names"),
]


@pytest.mark.parametrize(("names", "message"), BAD_NAMES)
def test_bad_names_are_refused_and_nothing_is_stored(api_as, administrator, desk, names, message):
    Team.objects.create(desk=desk, name="Legal", slug="legal", names={"fr": "Juridique"})
    api = api_as(administrator)
    for method, path, body in [
        ("patch", "/api/v1/desks/default", {"names": names}),
        ("patch", "/api/v1/desks/default/teams/legal", {"names": names}),
        ("patch", "/api/v1/desks/default/request-types/other", {"names": names}),
        ("post", "/api/v1/desks/default/request-types", {"slug": "x", "name": "X", "names": names}),
    ]:
        response = getattr(api, method)(path, body)
        assert response.status_code == 422, (path, response.content)
        assert response.json()["error"] and message in response.json()["detail"], path
    assert Desk.objects.get(pk=desk.pk).names == {}
    assert Team.objects.get().names == {"fr": "Juridique"}
    assert RequestType.objects.get(desk=desk, slug="other").names == {}
    assert not RequestType.objects.filter(slug="x").exists()


def test_the_api_schema_describes_names(db, client):
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]
    for schema in ("DeskOut", "DeskPatch", "TeamOut", "TeamPatch", "RequestTypeIn"):
        assert "names" in schemas[schema]["properties"], schema


# The admin: one box per language, side by side.


def test_the_admin_offers_a_box_per_language_labelled_in_that_language(client, administrator):
    rabat = Desk.objects.create(slug="rabat", name="Consulat", languages=["fr", "ary"])
    client.force_login(administrator)
    page = client.get(f"/admin/desks/desk/{rabat.pk}/change/").content.decode()
    for code in ("fr", "ary", "es", "ar", "nl", "en", "it", "de", "zgh"):
        assert f'name="names_{code}"' in page, code
    assert 'lang="ar">العربية</label>' in page and 'lang="zgh">ⵜⴰⵎⴰⵣⵉⵖⵜ</label>' in page
    arabic = page[page.index('name="names_ar"') :].split(">", 1)[0]
    assert 'dir="rtl"' in arabic
    dutch = page[page.index('name="names_nl"') :].split(">", 1)[0]
    assert 'dir="ltr"' in dutch
    assert "{&quot;" not in page.split('class="names"')[1][:200]  # no raw JSON box


def admin_form(**fields):
    data = {
        "name": "Consulat à Rabat",
        "slug": "rabat",
        "reference_prefix": "RB",
        "languages": '["fr", "ar"]',
        "assignment": "manual",
        "timezone": "Africa/Casablanca",
        "hours": "{}",
        "holidays": "[]",
        "special_days": "{}",
        "emergency_phone": "",
        "k_anonymity": "5",  # the smallest group shown in anonymised data
    }
    for prefix in ("teams", "request_types"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return {**data, **fields}


def test_names_typed_in_the_admin_are_kept_and_empty_boxes_left_out(client, administrator):
    client.force_login(administrator)
    response = client.post(
        "/admin/desks/desk/add/",
        admin_form(names_ar="  القنصلية في الرباط ", names_en="Consulate in Rabat", names_de=""),
    )
    assert response.status_code == 302, response.context["errors"]
    rabat = Desk.objects.get(slug="rabat")
    assert rabat.names == {"ar": "القنصلية في الرباط", "en": "Consulate in Rabat"}
    too_long = client.post("/admin/desks/desk/add/", admin_form(slug="r2", names_it="x" * 121))
    assert too_long.status_code == 200 and not Desk.objects.filter(slug="r2").exists()


def test_request_types_and_teams_are_named_side_by_side_in_the_admin(client, administrator, desk):
    Team.objects.create(desk=desk, name="Legal", slug="legal")
    client.force_login(administrator)
    page = client.get(f"/admin/desks/desk/{desk.pk}/change/").content.decode()
    assert 'name="request_types-0-names_ar"' in page and 'name="teams-0-names_zgh"' in page
    other = RequestType.objects.get(desk=desk, slug="other")
    form = {
        "slug": "other",
        "name": "Other",
        "desk": desk.pk,
        "warning_percent": "80",
        "default": "on",
        "names_ar": "أخرى",
        "names_zgh": "ⵢⴰⴹⵏ",
    }
    response = client.post(f"/admin/desks/requesttype/{other.pk}/change/", form)
    assert response.status_code == 302, response.context["errors"]
    other.refresh_from_db()
    assert other.names == {"ar": "أخرى", "zgh": "ⵢⴰⴹⵏ"}


def test_a_new_default_set_in_the_admin_replaces_the_old_one_and_is_audited(
    client, administrator, desk
):
    client.force_login(administrator)
    before = RequestType.objects.get(desk=desk, default=True)
    other = RequestType.objects.filter(desk=desk, default=False).first()
    form = {"name": other.name, "warning_percent": "80", "default": "on"}
    response = client.post(f"/admin/desks/requesttype/{other.pk}/change/", form)
    assert response.status_code == 302, response.context["errors"]
    defaults = list(RequestType.objects.filter(desk=desk, default=True))
    assert defaults == [other] and before not in defaults
    entry = AuditEntry.objects.get(action="request_type.update", actor=administrator)
    assert entry.target_id == str(other.pk) and "default" in entry.detail["fields"]


def test_request_types_added_and_deleted_in_the_admin_are_audited(client, administrator, desk):
    client.force_login(administrator)
    response = client.post(
        "/admin/desks/requesttype/add/",
        {"desk": desk.pk, "slug": "visa", "name": "Visa", "warning_percent": "80", "default": "on"},
    )
    assert response.status_code == 302, response.context["errors"]
    visa = RequestType.objects.get(desk=desk, slug="visa")
    assert list(RequestType.objects.filter(desk=desk, default=True)) == [visa]
    response = client.post(f"/admin/desks/requesttype/{visa.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not RequestType.objects.filter(slug="visa").exists()
    actions = set(AuditEntry.objects.filter(actor=administrator).values_list("action", flat=True))
    assert {"request_type.create", "request_type.delete"} <= actions
