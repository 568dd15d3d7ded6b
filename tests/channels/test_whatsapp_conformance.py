"""Real recorded WhatsApp deliveries (pywa's fixtures, kept outside this repository) go through.

Each recorded case is posted, signed, to a WhatsApp channel's webhook: it must be
acknowledged with 200, and every message in it either stored or kept as unread; nothing
may crash. The fixtures live in ../shared/fixtures/whatsapp-pywa beside the checkout
(or where VENTANILLA_SHARED points); without them these tests are skipped.
"""

import json
import os
from pathlib import Path

import pytest

from ventanilla.channels.models import UnreadDelivery
from ventanilla.conversations.models import Message, PendingStatus

SHARED = Path(os.environ.get("VENTANILLA_SHARED", Path(__file__).parents[3] / "shared"))
FIXTURES = SHARED / "fixtures" / "whatsapp-pywa"
KNOWN_STATUSES = {"sent", "delivered", "read", "played", "failed"}


def recorded_cases():
    if not FIXTURES.is_dir():
        return [
            pytest.param(None, None, marks=pytest.mark.skip(reason=f"no fixtures at {FIXTURES}"))
        ]
    return [
        pytest.param(path.name, case, id=f"{path.stem}-{case}")
        for path in sorted(FIXTURES.glob("*.json"))
        for case in json.loads(path.read_text())
    ]


def _as_ours(body, phone_number_id):
    """The recorded delivery, addressed to our channel's number (recordings use placeholders)."""
    for entry in body.get("entry", []):
        for change in entry.get("changes", []):
            metadata = change.get("value", {}).get("metadata")
            if isinstance(metadata, dict):
                metadata["phone_number_id"] = phone_number_id
    return body


@pytest.mark.parametrize(("filename", "case"), recorded_cases())
def test_a_recorded_delivery_is_acknowledged_and_accounted_for(
    filename, case, whatsapp, post_whatsapp
):
    body = _as_ours(json.loads((FIXTURES / filename).read_text())[case], whatsapp.address)
    response = post_whatsapp(body)
    assert response.status_code == 200, response.content

    changes = [
        c for e in body["entry"] for c in e.get("changes", []) if c.get("field") == "messages"
    ]
    messages = [m for c in changes for m in c["value"].get("messages", [])]
    statuses = [s for c in changes for s in c["value"].get("statuses", [])]
    reasons = " ".join(r for u in UnreadDelivery.objects.all() for r in u.reasons)
    for item in messages:
        stored = Message.objects.filter(provider_id=item["id"]).first()
        assert stored is not None or item["id"] in reasons, (
            f"{item['id']} was neither stored nor kept"
        )
        if stored is not None:
            assert stored.direction == "in" and stored.raw == item
    known = [s for s in statuses if s.get("status") in KNOWN_STATUSES]
    assert PendingStatus.objects.count() == len(known)  # about messages other tools sent
    if not changes:
        assert not Message.objects.exists() and not UnreadDelivery.objects.exists()
