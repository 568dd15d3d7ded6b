"""Referrals in the console: the services beside the reply box, a person referred from
their conversation (on the web chat), what became of it, the list of referrals and its
settings; the directory searched, kept by an administrator, imported and exported."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Message
from ventanilla.referrals.models import Referral, ReferralSettings, Service


def conversation_in(webchat, make_inbound, language):
    found = receive(
        channel=webchat, inbound=make_inbound(text="¿Dónde puedo ver a un médico?")
    ).message.conversation
    found.language = language
    found.save(update_fields=["language"])
    return found


def test_the_conversation_page_offers_the_services_in_the_persons_language(
    client, agent, webchat, make_inbound, directory
):
    conversation = conversation_in(webchat, make_inbound, "ar")
    client.force_login(agent)
    page = client.get(f"/console/c/{conversation.pk}/").content.decode()
    assert 'id="refer"' in page
    assert page.count('name="services"') == 2  # the two services where Arabic is spoken
    found = client.get(
        f"/console/c/{conversation.pk}/services/", {"type": "legal", "place": "", "language": ""}
    ).content.decode()
    assert found.count('name="services"') == 2
    assert "Legal Malaga" in found and "Clinica Salud" not in found


def test_an_agent_refers_from_the_page_and_the_person_gets_the_details(
    client, agent, webchat, make_inbound, directory, django_capture_on_commit_callbacks
):
    conversation = conversation_in(webchat, make_inbound, "fr")
    client.force_login(agent)
    service = directory["abogados-madrid"]
    url = f"/console/c/{conversation.pk}/refer/"
    refused = client.post(url, {"services": [service.pk], "send": "1"}, follow=True)
    assert "agreement" in refused.content.decode() and Referral.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            url,
            {"services": [service.pk], "consent": "1", "follow_up": "1", "send": "1",
             "note": "Cita el lunes"},
            follow=True,
        )  # fmt: skip
    assert "Referred to" in done.content.decode()
    referral = Referral.objects.get()
    assert (referral.follow_up, referral.note, referral.by) == (True, "Cita el lunes", agent)
    sent = Message.objects.get(pk=referral.message_id)
    assert "Service abogados-madrid" in sent.text and "Sans rendez-vous." in sent.text
    page = client.get(f"/console/c/{conversation.pk}/").content.decode()
    assert f'id="referral-{referral.pk}"' in page and "Cita el lunes" in page
    client.post(f"/console/referrals/{referral.pk}/", {"state": "reached"})
    referral.refresh_from_db()
    assert referral.state == "reached" and referral.state_by == agent
    client.post(f"/console/referrals/{referral.pk}/", {"state": "lost"})
    referral.refresh_from_db()
    assert referral.state == "reached"


def test_the_list_shows_the_referrals_to_follow_and_supervisors_set_the_follow_up(
    client, agent, supervisor, desk, webchat, make_inbound, directory
):
    from ventanilla.referrals.services import refer

    conversation = conversation_in(webchat, make_inbound, "es")
    refer(conversation=conversation, to=[directory["albergue-sur"]], by=agent, consent=True,
          send=False)  # fmt: skip
    client.force_login(agent)
    listed = client.get("/console/referrals/").content.decode()
    assert conversation.reference in listed and "Albergue Sur" in listed
    assert "follow_up_days" not in listed  # the settings are for supervisors
    assert client.post(f"/console/referrals/settings/{desk.slug}/", {}).status_code == 403
    client.force_login(supervisor)
    client.post(f"/console/referrals/settings/{desk.slug}/", {"follow_up_days": "3"})
    assert ReferralSettings.objects.get(desk=desk).follow_up_days == 3
    assert ReferralSettings.objects.get(desk=desk).ask_person is False
    client.post(f"/console/referrals/settings/{desk.slug}/", {"follow_up_days": "0"})
    assert ReferralSettings.objects.get(desk=desk).follow_up_days == 3


def test_staff_search_the_directory_and_an_administrator_keeps_it(
    client, agent, administrator, desk, directory
):
    client.force_login(agent)
    page = client.get("/console/services/", {"type": "legal", "place": "Madrid"}).content.decode()
    assert "Abogados Madrid" in page and "Legal Malaga" not in page
    assert 'id="import"' not in page
    assert client.get("/console/services/new/").status_code == 403
    client.force_login(administrator)
    made = client.post(
        f"/console/services/new/?desk={desk.slug}",
        {"key": "ropero", "organisation": "Ropero Solidario", "name": "Ropero",
         "names_ar": "خزانة الملابس", "descriptions_ar": "ملابس مجانية", "type": "other",
         "cost": "free", "accepts_undocumented": "on", "active": "on", "languages": "es ar",
         "country": "ES", "city": "Cádiz"},
    )  # fmt: skip
    assert made.status_code == 302, made.content.decode()[:2000]
    service = Service.objects.get(key="ropero")
    assert service.names == {"ar": "خزانة الملابس"} and service.languages == ["es", "ar"]
    assert service.descriptions == {"ar": "ملابس مجانية"}
    wrong = client.post(
        f"/console/services/{service.pk}/",
        {"key": "ropero", "organisation": "Ropero Solidario", "name": "Ropero", "type": "spa",
         "cost": "free", "languages": "es"},
    )  # fmt: skip
    assert wrong.status_code == 200 and 'class="error"' in wrong.content.decode()
    assert Service.objects.get(key="ropero").type == "other"


def test_an_administrator_imports_and_exports_the_directory(client, administrator, desk, directory):
    client.force_login(administrator)
    exported = client.get(f"/console/services/export/{desk.slug}.csv")
    text = b"".join(exported.streaming_content).decode()
    changed = text.replace("Calle Inventada 1", "Calle Nueva 2")
    upload = SimpleUploadedFile("services.csv", changed.encode(), content_type="text/csv")
    done = client.post("/console/services/import/", {"desk": desk.slug, "file": upload},
                       follow=True).content.decode()  # fmt: skip
    assert "0 new, 5 changed" in done
    assert set(Service.objects.values_list("address", flat=True)) == {"Calle Nueva 2"}
    broken = changed.replace(",health,", ",spa,")
    upload = SimpleUploadedFile("services.csv", broken.encode(), content_type="text/csv")
    refused = client.post("/console/services/import/", {"desk": desk.slug, "file": upload},
                          follow=True).content.decode()  # fmt: skip
    assert "nothing was imported" in refused and "clinica-salud" in refused
    assert Service.objects.get(key="clinica-salud").type == "health"
