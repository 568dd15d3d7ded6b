"""Cases that move between desks: a conversation passed, with the person's consent and a
note, to another desk of the installation, where it goes on as a new conversation on the
same channel. The receiving desk reads what was written before if the sending desk shares
it (its settings), and is told at once; the person is told who answers them now."""

from __future__ import annotations

import logging

from django.contrib.auth.models import User
from django.db import transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from ventanilla.contacts.models import ConsentPurpose
from ventanilla.contacts.services import record_consent
from ventanilla.conversations import automatic, services
from ventanilla.conversations.automatic import Said, to_tell
from ventanilla.conversations.models import Conversation
from ventanilla.desks.models import Desk
from ventanilla.desks.texts import speaking
from ventanilla.lib.errors import Invalid, ServiceError
from ventanilla.privacy.services import audit
from ventanilla.referrals.models import Transfer
from ventanilla.referrals.services import settings_of
from ventanilla.teamwork.models import NotificationKind
from ventanilla.teamwork.services import notify, supervisors_of

logger = logging.getLogger(__name__)
MAX_NOTE = 2000

# Sent once a transfer is committed, with the new conversation's id: routing (ventanilla.triage)
# gives it to a team of the receiving desk, as it does a person's first message.
conversation_transferred = Signal()


@transaction.atomic
def transfer_to_desk(
    *, conversation: Conversation, desk: Desk, note: str, consent: bool, by: User
) -> Transfer:
    """Pass the person's case to `desk` with their consent (Invalid without it)."""
    if not consent:
        raise Invalid(
            "consent: the person must agree to their case, and what they told, going to "
            "the other desk"
        )
    note = services.clean_text(note, limit=MAX_NOTE, required=False)
    moved = services.carry_over(conversation=conversation, desk=desk, by=by)
    record_consent(
        contact=conversation.contact,
        purpose=ConsentPurpose.REFERRALS,
        given=True,
        source="staff",
        by=by,
    )
    made = Transfer.objects.create(
        conversation=conversation,
        to_conversation=moved,
        from_desk=conversation.desk,
        to_desk=desk,
        note=note,
        shares_history=settings_of(conversation.desk).share_history,
        by=by,
    )
    audit(
        actor=by,
        action="conversation.transfer_desk",
        target=conversation,
        to=moved.pk,
        desk=desk.slug,
        history=made.shares_history,
    )
    notify(supervisors_of(desk), kind=NotificationKind.TRANSFER, conversation=moved, actor=by)
    _tell_person(moved)
    transaction.on_commit(
        lambda: conversation_transferred.send(sender=Transfer, conversation_id=moved.pk)
    )
    return made


def _tell_person(conversation: Conversation) -> None:
    desk = conversation.desk
    with speaking(desk, to_tell(conversation)) as spoken:
        text = _("Your case has been passed to %(desk)s, who will answer you here.") % {
            "desk": desk.name_in(spoken)
        }
    try:
        automatic.reply(conversation=conversation, text=text, state=Said("transfer"))
    except ServiceError as error:  # outside the WhatsApp window, a phone line: they are called
        logger.info("transfer: the person was not told (%s)", error.code)
