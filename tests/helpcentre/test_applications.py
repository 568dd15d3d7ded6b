"""Application statuses: loaded from a CSV file or the API, looked up with a reference and a
date of birth in the help centre; wrong details reveal nothing, and guessing is cut short."""

import logging
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import formats, translation

from ventanilla.desks.models import Desk
from ventanilla.helpcentre.applications import Row, import_applications, look_up, reference_hash
from ventanilla.helpcentre.models import Application, LookupOutcome, StatusLookup
from ventanilla.knowledge.formats import entries_from
from ventanilla.knowledge.services import import_articles
from ventanilla.privacy.models import AuditEntry

# Invented applications and applicants.
CSV = """reference,service,status,last_update,post,date_of_birth
es-2026-000123,Passport,ready-for-collection,2026-03-02,Consulate in Rabat,12/03/1990
ES-2026-000456,Birth certificate,documents-needed,15.02.2026,Consulate in Tangier,1985-07-01
"""
NEUTRAL = (
    "We found no application with these details. Please check the reference number and "
    "the date of birth, and try again."
)
READY_EN = (
    "Passport application ES-2026-000123: ready for collection (last update: March 2, 2026). "
    "You can collect it at Consulate in Rabat. Bring an identity document."
)


def rows(text=CSV):
    from ventanilla.helpcentre.applications import read_csv

    return read_csv(text.encode())


@pytest.fixture
def loaded(desk):
    import_applications(desk=desk, rows=rows(), by=None)
    return desk


def passport_key():
    """The keyed hash the passport application is found by: its reference is encrypted."""
    return reference_hash(Desk.objects.get(slug="default"), "ES-2026-000123")


def ask(desk, reference="ES-2026-000123", born="12/03/1990", *, who="contact:1", lang="en"):
    return look_up(
        desk=desk,
        reference=reference,
        second_factor=born,
        channel="whatsapp",
        requester_key=who,
        language=lang,
    )


# Importing from a file


def test_a_csv_file_is_imported_by_reference_and_again_changes_nothing(desk, tmp_path, capsys):
    path = tmp_path / "statuses.csv"
    path.write_text(CSV, encoding="utf-8")
    call_command("applications", "import", "default", str(path))
    assert capsys.readouterr().out.strip() == "2 created, 0 updated, 0 unchanged"
    passport = Application.objects.get(reference_hash=passport_key())
    assert (passport.service, passport.status, passport.post, str(passport.status_updated_on)) == (
        "Passport",
        "ready-for-collection",
        "Consulate in Rabat",
        "2026-03-02",
    )
    call_command("applications", "import", "default", str(path))
    assert capsys.readouterr().out.strip() == "0 created, 0 updated, 2 unchanged"
    path.write_text(CSV.replace("ready-for-collection,2026-03-02", "collected,2026-03-09"))
    call_command("applications", "import", "default", str(path))
    assert capsys.readouterr().out.strip() == "0 created, 1 updated, 1 unchanged"
    assert Application.objects.get(reference_hash=passport_key()).status == "collected"


def test_the_date_of_birth_is_kept_only_as_a_keyed_hash(loaded):
    stored = Application.objects.values().get(reference_hash=passport_key())
    written = " ".join(str(value) for value in stored.values())
    assert re.fullmatch(r"[0-9a-f]{64}", stored["second_factor_hash"])
    assert not any(date in written for date in ("1990", "12/03", "03-12"))


def test_a_spreadsheet_export_with_semicolons_another_order_and_status_names_is_read(desk):
    text = (
        "\ufeffPost;Date of birth;Reference;Service;Status;Last update;Notes\n"
        "Consulate in Rabat;12-03-1990;MA/2026/77;Passport;Ready for collection;02/03/2026;x\n"
        "Consulate in Rabat;01.07.1985;MA/2026/78;Passport;IN_REVIEW;02/03/2026;\n"
    )
    result = import_applications(desk=desk, rows=rows(text), by=None)
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert dict(Application.objects.values_list("reference", "status")) == {
        "MA/2026/77": "ready-for-collection",
        "MA/2026/78": "in-review",
    }


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("ES-2026-000789,Passport,lost,2026-03-02,Consulate in Rabat,12/03/1990", "status 'lost'"),
        (
            "ES-2026-000789,Passport,approved,2026-13-02,Consulate in Rabat,12/03/1990",
            "last_update",
        ),
        (
            "ES-2026-000789,Passport,approved,2026-03-02,Consulate in Rabat,31/02/1990",
            "date_of_birth",
        ),
        (
            "ES-2026-000789,Passport,approved,2026-03-02,Consulate in Rabat,12/03/2990",
            "date_of_birth",
        ),
        ("ES 2026,Passport,approved,2026-03-02,Consulate in Rabat,12/03/1990", "reference"),
        ("ES-2026-000789,,approved,2026-03-02,Consulate in Rabat,12/03/1990", "service"),
        ("ES-2026-000789,Passport,approved", "3 columns"),
        ("es-2026-000123,Passport,approved,2026-03-02,Consulate in Rabat,12/03/1990", "line 2"),
    ],
)
def test_a_bad_row_stops_the_whole_file_naming_its_line(desk, tmp_path, line, error):
    path = tmp_path / "statuses.csv"
    path.write_text(CSV + line + "\n", encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("applications", "import", "default", str(path))
    message = str(raised.value)
    assert "line 4" in message and error in message and "nothing was imported" in message
    assert "31/02/1990" not in message and "2990" not in message  # dates of birth stay out
    assert Application.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"reference,service,status\nES-1,Passport,approved\n", "line 1: the header lacks"),
        (b"reference,service,status,last_update,post,date_of_birth\n", "no applications"),
        ("reference;service\ncaf\u00e9".encode("latin-1"), "not UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_as_statuses_is_refused(desk, tmp_path, content, error):
    path = tmp_path / "statuses.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=error):
        call_command("applications", "import", "default", str(path))


def test_an_unknown_desk_or_a_missing_file_is_a_clear_error(desk, tmp_path):
    path = tmp_path / "statuses.csv"
    path.write_text(CSV)
    with pytest.raises(CommandError, match=r"no desk 'nowhere' \(the desks are: default\)"):
        call_command("applications", "import", "nowhere", str(path))
    with pytest.raises(CommandError, match=r"cannot read .*missing\.csv"):
        call_command("applications", "import", "default", str(tmp_path / "missing.csv"))
    assert Application.objects.count() == 0


def test_an_import_is_audited_with_its_counts_only(loaded):
    entry = AuditEntry.objects.get(action="applications.import")
    assert entry.detail == {"created": 2, "updated": 0, "unchanged": 0}


# Importing through the API

PASSPORT = {
    "reference": "es-2026-000123",
    "service": "Passport",
    "status": "approved",
    "last_update": "2026-03-02",
    "post": "Consulate in Rabat",
    "date_of_birth": "12/03/1990",
}
URL = "/api/v1/desks/default/applications"


def test_a_supervisor_loads_applications_through_the_api(api_as, supervisor):
    api = api_as(supervisor)
    response = api.post(URL, {"applications": [PASSPORT]})
    assert response.status_code == 200
    assert response.json() == {"created": 1, "updated": 0, "unchanged": 0}
    again = api.post(URL, {"applications": [{**PASSPORT, "status": "sent-to-post"}]})
    assert again.json() == {"created": 0, "updated": 1, "unchanged": 0}
    assert Application.objects.get().status == "sent-to-post"


def test_a_bad_application_is_a_422_naming_it_and_nothing_is_stored(api_as, supervisor):
    body = {"applications": [PASSPORT, {**PASSPORT, "reference": "X-2", "status": "lost"}]}
    response = api_as(supervisor).post(URL, body)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid"
    assert response.json()["detail"].startswith("application 2: status 'lost' is not one of")
    assert Application.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"applications": []}, 422),
        ({"applications": [{"reference": "ES-1"}]}, 422),
        ({}, 422),
        (b"{not json", 400),
    ],
)
def test_malformed_bodies_are_4xx_json(api_as, supervisor, body, status):
    response = api_as(supervisor).post(URL, body)
    assert response.status_code == status and "detail" in response.json()
    assert Application.objects.count() == 0


def test_loading_needs_a_token_and_a_role_that_may(api_as, agent, analyst, other_desk, make_staff):
    assert api_as(None).post(URL, {"applications": [PASSPORT]}).status_code == 401
    assert api_as(agent).post(URL, {"applications": [PASSPORT]}).status_code == 403
    assert api_as(analyst).post(URL, {"applications": [PASSPORT]}).status_code == 403
    stranger = make_staff("supervisor", desks=[other_desk])
    assert api_as(stranger).post(URL, {"applications": [PASSPORT]}).status_code == 404
    assert Application.objects.count() == 0


def test_staff_read_an_application_without_the_date_of_birth_and_the_reading_is_audited(
    api_as, loaded, agent, analyst
):
    response = api_as(agent).get(f"{URL}/es-2026-000123")
    assert response.status_code == 200
    assert response.json() == {
        "reference": "ES-2026-000123",
        "service": "Passport",
        "service_names": {},
        "status": "ready-for-collection",
        "last_update": "2026-03-02",
        "post": "Consulate in Rabat",
        "imported_at": response.json()["imported_at"],
        "updated_at": response.json()["updated_at"],
    }
    entry = AuditEntry.objects.get(action="application.view")
    assert entry.actor == agent and entry.detail == {}
    assert api_as(agent).get(f"{URL}/ES-2026-999999").status_code == 404
    assert api_as(analyst).get(f"{URL}/ES-2026-000123").status_code == 403
    assert api_as(None).get(f"{URL}/ES-2026-000123").status_code == 401


def test_a_reference_with_slashes_is_read_too(api_as, supervisor, agent):
    api_as(supervisor).post(URL, {"applications": [{**PASSPORT, "reference": "MA/2026/77"}]})
    response = api_as(agent).get(f"{URL}/MA/2026/77")
    assert response.status_code == 200 and response.json()["reference"] == "MA/2026/77"


# Looking up


def test_the_right_reference_and_date_of_birth_give_the_status(loaded):
    answer = ask(loaded, reference=" es-2026-000123 ", born="1990-03-12")
    assert answer.outcome == LookupOutcome.FOUND
    assert answer.text == READY_EN


@pytest.mark.parametrize("lang", ["es", "ar", "ary"])
def test_the_status_is_given_in_the_persons_language(loaded, lang):
    answer = ask(loaded, lang=lang)
    assert answer.outcome == LookupOutcome.FOUND
    assert "ES-2026-000123" in answer.text and "Passport" in answer.text
    assert "Consulate in Rabat" in answer.text
    with translation.override("ar" if lang == "ary" else lang):
        updated_on = Application.objects.get(reference_hash=passport_key()).status_updated_on
        assert formats.date_format(updated_on) in answer.text
    assert "March" not in answer.text  # the date, at least, is in the person's language


def test_a_wrong_date_of_birth_and_an_unknown_reference_get_the_same_neutral_answer(loaded):
    answers = [
        ask(loaded, born="13/03/1990", who="contact:1"),
        ask(loaded, reference="ES-2026-999999", who="contact:2"),
        ask(loaded, born="not a date", who="contact:3"),
        ask(loaded, reference="ES-2026-000456", who="contact:4"),  # another applicant's date
    ]
    assert {(a.outcome, a.text) for a in answers} == {(LookupOutcome.NOT_FOUND, NEUTRAL)}
    assert "Passport" not in NEUTRAL and "Rabat" not in NEUTRAL


def test_the_sixth_try_in_a_quarter_of_an_hour_is_refused_even_when_right(loaded):
    wrong = [ask(loaded, born=f"0{n}/01/1990").outcome for n in range(1, 6)]
    assert wrong == [LookupOutcome.NOT_FOUND] * 5
    refused = ask(loaded)
    assert refused.outcome == LookupOutcome.REFUSED and "Too many attempts" in refused.text
    assert "Passport" not in refused.text
    assert ask(loaded, who="contact:2").outcome == LookupOutcome.FOUND  # others may still ask


def test_a_reference_tried_wrong_ten_times_is_refused_to_everyone_for_the_day(loaded):
    for n in range(10):
        assert ask(loaded, born=f"1{n}/01/1990", who=f"contact:{n}").outcome == "not-found"
    assert ask(loaded, who="contact:new").outcome == LookupOutcome.REFUSED
    assert ask(loaded, "ES-2026-000456", "01/07/1985", who="contact:new").outcome == "found"


def test_every_look_up_is_logged_without_personal_data(loaded, caplog):
    caplog.set_level(logging.DEBUG)
    ask(loaded)
    ask(loaded, born="13/03/1990")
    ask(loaded, reference="ES-2026-999999")
    log = list(StatusLookup.objects.order_by("pk"))
    assert [(entry.outcome, entry.channel) for entry in log] == [
        ("found", "whatsapp"),
        ("not-found", "whatsapp"),
        ("not-found", "whatsapp"),
    ]
    assert log[0].application == Application.objects.get(reference_hash=passport_key())
    assert log[1].application is None and log[2].application is None
    assert log[0].reference_hash == log[1].reference_hash != log[2].reference_hash
    stored = " ".join(
        str(value)
        for row in [*StatusLookup.objects.values(), *AuditEntry.objects.values()]
        for value in row.values()
    )
    for secret in ("ES-2026", "1990", "12/03", "Passport", "Rabat", "999999"):
        assert secret not in stored
        assert secret not in caplog.text
    given = AuditEntry.objects.get(action="application.status-given")
    assert given.target_id == str(log[0].application_id) and given.detail == {"channel": "whatsapp"}


# The help centre's page

GUIDE = [
    {
        "key": "passport-renewal",
        "topic": "passports",
        "translations": {
            "en": {"title": "Renewing a passport", "body": "Book an appointment."},
            "es": {"title": "Renovar el pasaporte", "body": "Pida cita."},
        },
    }
]
PAGE = "/help/default/{lang}/status/"


@pytest.fixture
def guide(desk):
    import_articles(entries=entries_from(GUIDE), by=None)


def test_the_guide_links_to_the_status_page_once_statuses_are_loaded(client, guide, desk):
    assert "application-status" not in client.get("/help/default/es/").content.decode()
    assert client.get(PAGE.format(lang="es")).status_code == 404
    import_applications(desk=desk, rows=rows(), by=None)
    home = client.get("/help/default/es/").content.decode()
    assert 'href="/help/default/es/status/"' in home


def test_the_status_page_is_a_form_in_the_pages_language(client, guide, loaded):
    response = client.get(PAGE.format(lang="es"))
    page = response.content.decode()
    assert response.status_code == 200 and response["Content-Language"] == "es"
    assert '<html lang="es"' in page and 'name="csrfmiddlewaretoken"' in page
    assert 'name="reference"' in page and 'name="date_of_birth"' in page
    assert 'autocomplete="off"' in page and response["Cache-Control"] == "no-store"


def test_the_right_details_show_the_status_on_the_page(client, guide, loaded):
    response = client.post(
        PAGE.format(lang="en"), {"reference": "es-2026-000123", "date_of_birth": "12.03.1990"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'id="status-answer"' in page
    assert READY_EN in page
    assert "12.03.1990" not in page  # the date of birth is not written back
    spanish = client.post(
        PAGE.format(lang="es"), {"reference": "ES-2026-000456", "date_of_birth": "01/07/1985"}
    ).content.decode()
    assert "Birth certificate" in spanish and "15 de febrero de 2026" in spanish
    assert [e.channel for e in StatusLookup.objects.all()] == ["help-centre", "help-centre"]


def test_wrong_details_on_the_page_get_the_neutral_answer_and_guessing_is_slowed(
    client, guide, loaded
):
    tries = [
        client.post(PAGE.format(lang="en"), {"reference": "ES-2026-000123", "date_of_birth": born})
        for born in ["01/01/1990", "02/01/1990", "03/01/1990", "04/01/1990", "05/01/1990"]
    ]
    assert all(t.status_code == 200 and NEUTRAL in t.content.decode() for t in tries)
    right = client.post(
        PAGE.format(lang="en"), {"reference": "ES-2026-000123", "date_of_birth": "12/03/1990"}
    )
    assert right.status_code == 429 and "Too many attempts" in right.content.decode()
    assert "Rabat" not in right.content.decode()


def test_a_date_that_cannot_be_a_birth_date_is_a_form_error_and_no_try(client, guide, loaded):
    response = client.post(
        PAGE.format(lang="en"), {"reference": "ES-2026-000123", "date_of_birth": "31/02/1990"}
    )
    assert response.status_code == 200
    assert "Write the date as day/month/year" in response.content.decode()
    assert StatusLookup.objects.count() == 0


def test_the_form_needs_its_csrf_token(guide, loaded):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        PAGE.format(lang="en"), {"reference": "ES-2026-000123", "date_of_birth": "12/03/1990"}
    )
    assert response.status_code == 403 and StatusLookup.objects.count() == 0


def test_a_desk_without_statuses_or_an_unknown_desk_has_no_status_page(client, guide, desk):
    Desk.objects.create(slug="elsewhere", name="Another consulate", reference_prefix="EL")
    import_applications(desk=desk, rows=rows(), by=None)
    assert client.get("/help/elsewhere/en/status/").status_code == 404
    assert client.get("/help/nowhere/en/status/").status_code == 404
    assert client.get("/help/default/de/status/").status_code == 404


def test_rows_from_the_api_and_from_a_file_are_checked_alike(desk):
    row = Row("application 1", "ES-1", "Passport", "approved", "2026-03-02", "Rabat", "12/03/1990")
    assert import_applications(desk=desk, rows=[row], by=None).created == 1
