"""The phone line in the Django admin: which prompts a line still lacks, recordings uploaded
there, call records without numbers, and the phone where the line rings each person."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ventanilla.calls.flow import line_of
from ventanilla.calls.models import Call, VoicePrompt
from ventanilla.calls.prompts import TEXTS
from ventanilla.calls.services import update_line
from ventanilla.desks.models import AgentProfile
from ventanilla.privacy.models import AuditEntry

MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\xff\xfb\x90\x64" * 64
CALLER = "+50499990001"


@pytest.fixture
def signed_in(client, administrator):
    client.force_login(administrator)
    return client


def missing_section(page):
    """The read-only list of prompts to record, as shown on the line's page."""
    html = page.content.decode()
    found = re.search(r'<div class="missing-prompts">(.*?)</div>', html, re.S)
    return found.group(1) if found else html


def line_form(line, **fields):
    """The line's change form as the admin posts it, with no prompt rows."""
    data = {
        "languages": json.dumps(line.languages),
        "topic_menu": "on" if line.topic_menu else "",
        "record_calls": "on" if line.record_calls else "",
        "recording_retention_days": line.recording_retention_days,
        "callback_after_seconds": line.callback_after_seconds,
        "voicemail_seconds": line.voicemail_seconds,
        "hold_music_url": line.hold_music_url,
        "voices": json.dumps(line.voices),
        "prompts-TOTAL_FORMS": "0",
        "prompts-INITIAL_FORMS": "0",
        "prompts-MIN_NUM_FORMS": "0",
        "prompts-MAX_NUM_FORMS": "1000",
    }
    return {k: v for k, v in {**data, **fields}.items() if v != ""}


def with_prompt(data, line, index, **fields):
    data["prompts-TOTAL_FORMS"] = str(index + 1)
    prefix = f"prompts-{index}-"
    data.update({f"{prefix}line": line.pk, f"{prefix}id": "", f"{prefix}text": ""})
    data.update({f"{prefix}{name}": value for name, value in fields.items()})
    return data


def test_the_line_page_shows_the_prompts_to_record_until_they_are_recorded(
    signed_in, api_as, administrator, voice, line
):
    update_line(line=line, changes={"languages": ["ar", "zgh", "fr"]}, by=None)
    page = signed_in.get(f"/admin/calls/voiceline/{line.pk}/change/")
    assert page.status_code == 200
    missing = missing_section(page)
    assert "<strong>zgh</strong>" in missing
    assert "<strong>ar</strong>" not in missing and "<strong>fr</strong>" not in missing
    assert "<code>greeting</code>: Welcome to Default desk." in missing
    assert all(f"<code>{key}</code>" in missing for key in TEXTS)

    api = api_as(administrator)
    path = f"/api/v1/channels/{voice.pk}/voice/prompts/zgh/greeting"
    recorded = api.client.put(path, MP3, content_type="audio/mpeg", headers=api.headers)
    assert recorded.status_code == 200
    missing = missing_section(signed_in.get(f"/admin/calls/voiceline/{line.pk}/change/"))
    assert "<code>greeting</code>" not in missing and "<code>hold</code>" in missing

    for key in TEXTS:
        path = f"/api/v1/channels/{voice.pk}/voice/prompts/zgh/{key}"
        api.client.put(path, MP3, content_type="audio/mpeg", headers=api.headers)
    page = signed_in.get(f"/admin/calls/voiceline/{line.pk}/change/")
    assert "callers hear every prompt in their own language" in page.content.decode()
    listing = signed_in.get("/admin/calls/voiceline/")
    assert listing.status_code == 200 and "ar, zgh, fr" in listing.content.decode()


def test_an_administrator_uploads_a_recording_and_changes_the_line(
    signed_in, administrator, voice, line
):
    line.languages = ["zgh", "es"]
    line.save()
    data = line_form(line, record_calls="on", recording_retention_days="30")
    upload = SimpleUploadedFile("bienvenida.mp3", MP3, content_type="audio/mpeg")
    with_prompt(data, line, 0, language="zgh", key="greeting", audio=upload)
    response = signed_in.post(f"/admin/calls/voiceline/{line.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]

    prompt = VoicePrompt.objects.get()
    assert (prompt.language, prompt.key) == ("zgh", "greeting")
    assert prompt.audio.name == f"prompts/{line.pk}/zgh-greeting.mp3"
    assert prompt.audio.read() == MP3
    line.refresh_from_db()
    assert (line.record_calls, line.recording_retention_days) == (True, 30)
    actions = set(AuditEntry.objects.filter(actor=administrator).values_list("action", flat=True))
    assert {"voice_prompt.keep", "voice_line.update"} <= actions
    page = signed_in.get(f"/admin/calls/voiceline/{line.pk}/change/")
    assert "<code>greeting</code>" not in missing_section(page)


def test_an_administrator_removes_a_recording(
    signed_in, administrator, voice, line, django_capture_on_commit_callbacks
):
    line.languages = ["zgh"]
    line.save()
    prompt = VoicePrompt.objects.create(line=line, language="zgh", key="hold")
    prompt.audio.save("hold.mp3", SimpleUploadedFile("hold.mp3", MP3))
    stored = prompt.audio.name
    data = line_form(line)
    data.update({"prompts-INITIAL_FORMS": "1"})
    with_prompt(data, line, 0, id=prompt.pk, language="zgh", key="hold", DELETE="on")
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(f"/admin/calls/voiceline/{line.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not VoicePrompt.objects.exists()
    assert not prompt.audio.storage.exists(stored)
    removed = AuditEntry.objects.get(action="voice_prompt.remove")
    assert removed.actor == administrator


def test_an_administrator_clears_a_recording_and_keeps_its_text(
    signed_in, administrator, voice, line, django_capture_on_commit_callbacks
):
    line.languages = ["zgh"]
    line.save()
    prompt = VoicePrompt.objects.create(line=line, language="zgh", key="hold", text="Azul")
    prompt.audio.save("hold.mp3", SimpleUploadedFile("hold.mp3", MP3))
    stored = prompt.audio.name
    data = line_form(line)
    data.update({"prompts-INITIAL_FORMS": "1"})
    with_prompt(
        data,
        line,
        0,
        id=prompt.pk,
        language="zgh",
        key="hold",
        text="Azul",
        **{"audio-clear": "on"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(f"/admin/calls/voiceline/{line.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    prompt.refresh_from_db()
    assert (prompt.audio.name, prompt.text) == ("", "Azul")
    assert not prompt.audio.storage.exists(stored)
    kept = AuditEntry.objects.get(action="voice_prompt.keep")
    assert kept.actor == administrator


def test_prompts_are_not_deleted_in_bulk_from_their_list(signed_in, voice, line):
    page = signed_in.get("/admin/calls/voiceprompt/")
    assert page.status_code == 200
    assert "delete_selected" not in page.content.decode()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"language": "zgh", "key": "greeting", "filename": "notes.txt"}, "MP3 or WAV"),
        ({"language": "de", "key": "greeting", "filename": "hallo.mp3"}, "menu languages"),
        ({"language": "zgh", "key": "ringtone", "filename": "ring.mp3"}, "ringtone"),
    ],
)
def test_a_recording_the_line_cannot_use_is_refused(signed_in, voice, line, fields, error):
    line.languages = ["zgh", "es"]
    line.save()
    upload = SimpleUploadedFile(fields.pop("filename"), MP3)
    data = with_prompt(line_form(line), line, 0, audio=upload, **fields)
    response = signed_in.post(f"/admin/calls/voiceline/{line.pk}/change/", data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not VoicePrompt.objects.exists()


def test_a_line_with_too_many_languages_is_refused(signed_in, voice, line):
    ten = ["es", "en", "ar", "fr", "nl", "de", "it", "pt", "ro", "tr"]
    data = line_form(line, languages=json.dumps(ten))
    response = signed_in.post(f"/admin/calls/voiceline/{line.pk}/change/", data)
    assert response.status_code == 200
    assert "At most 9" in response.content.decode()
    line.refresh_from_db()
    assert line.languages == []


def test_the_call_pages_show_the_figures_and_no_number(signed_in, phone):
    caller = phone(CALLER)
    caller.press(caller.press(caller.ring(), "1"), "5")
    caller.hang_up(30)
    call = Call.objects.get(call_sid=caller.sid)
    pages = [
        signed_in.get("/admin/calls/call/"),
        signed_in.get("/admin/calls/call/?outcome=abandoned"),
        signed_in.get("/admin/calls/call/?leg__exact=caller"),
        signed_in.get(f"/admin/calls/call/{call.pk}/change/"),
    ]
    for page in pages:
        assert page.status_code == 200
        assert "99990001" not in page.content.decode()
    assert call.conversation.reference in pages[3].content.decode()
    assert "Save" not in pages[3].content.decode()  # read-only
    none = signed_in.get("/admin/calls/call/?outcome=answered")
    assert f"/admin/calls/call/{call.pk}/change/" not in none.content.decode()
    assert f"/admin/calls/call/{call.pk}/change/" in pages[1].content.decode()
    assert signed_in.get("/admin/calls/call/add/").status_code == 403


def test_agents_do_not_reach_the_phone_line_pages(client, agent, line):
    client.force_login(agent)
    assert client.get(f"/admin/calls/voiceline/{line.pk}/change/").status_code == 302
    assert client.get("/admin/calls/call/").status_code == 302


def profile_form(profile, phone):
    return {
        "user": profile.user_id,
        "desks": [d.pk for d in profile.desks.all()],
        "languages": json.dumps(profile.languages),
        "capacity": profile.capacity,
        "available": "on",
        "ui_language": "",
        "phone": phone,
    }


def test_an_administrator_sets_where_a_persons_phone_rings(signed_in, administrator, agent):
    profile = AgentProfile.objects.get(user=agent)
    url = f"/admin/desks/agentprofile/{profile.pk}/change/"
    response = signed_in.post(url, profile_form(profile, "00504 3123-4567"))
    assert response.status_code == 302, response.content.decode()[:3000]
    profile.refresh_from_db()
    assert profile.phone == "+50431234567"
    assert AuditEntry.objects.filter(actor=administrator, action="agent.phone").exists()
    assert "+50431234567" in signed_in.get(url).content.decode()
    listing = signed_in.get("/admin/desks/agentprofile/").content.decode()
    assert "31234567" not in listing  # the list says whether, not which


def test_an_invalid_phone_is_refused_in_the_admin(signed_in, agent):
    profile = AgentProfile.objects.get(user=agent)
    url = f"/admin/desks/agentprofile/{profile.pk}/change/"
    response = signed_in.post(url, profile_form(profile, "12"))
    assert response.status_code == 200
    assert "not a phone number in international form" in response.content.decode()
    profile.refresh_from_db()
    assert profile.phone == ""


def test_a_line_is_added_only_for_a_voice_channel_without_one(signed_in, voice, webchat, desk):
    from ventanilla.channels.services import create_channel

    page = signed_in.get("/admin/calls/voiceline/add/")
    assert page.status_code == 200
    assert str(voice.pk) in page.content.decode()
    assert str(webchat.pk) not in page.content.decode()
    config = {**voice.config, "number": "+447700900998"}
    second = create_channel(desk=desk, type="twilio-voice", name="Two", config=config, by=None)
    update_line(line=line_of(voice), changes={}, by=None)
    page = signed_in.get("/admin/calls/voiceline/add/").content.decode()
    assert str(second.pk) in page and str(voice.pk) not in page
