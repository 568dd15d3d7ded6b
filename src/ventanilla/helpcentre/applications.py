"""Application statuses: loaded from a desk's case-management system, looked up by people.

A desk imports rows (reference, service, status, last update, post, date of birth) from a CSV
file or the API; a person gives a reference and the applicant's date of birth and is told the
status in their language. An unknown reference and a wrong date of birth get the same answer
along the same path; tries are counted per person and per reference, and every look-up is
logged without the reference, the date or anything else that identifies the person.
"""

from __future__ import annotations

import csv
import hmac
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ventanilla.desks.models import Desk
from ventanilla.desks.texts import speaking
from ventanilla.helpcentre import application_texts as say
from ventanilla.helpcentre.models import (
    Application,
    ApplicationService,
    ApplicationStatus,
    LookupOutcome,
    StatusLookup,
)
from ventanilla.lib.errors import Invalid, NotFound
from ventanilla.lib.names import validate_names
from ventanilla.lib.ratelimit import allow
from ventanilla.privacy.crypto import lookup_hash
from ventanilla.privacy.services import audit

COLUMNS = ("reference", "service", "status", "last_update", "post", "date_of_birth")
MAX_ROWS = 100_000
REFERENCE = re.compile(r"^[A-Z0-9](?:[A-Z0-9./-]{0,38}[A-Z0-9])?$")
MAX_TEXT = 120  # service and post
# A person (a contact, a browser's address) may try 5 times in 15 minutes; a reference may
# be got wrong 10 times a day, whoever tries, before it is refused to everyone until the
# next day: guessing a date of birth (some 30,000 candidates) stays out of reach.
PER_REQUESTER, REQUESTER_SECONDS = 5, 15 * 60
WRONG_PER_REFERENCE, REFERENCE_SECONDS = 10, 24 * 60 * 60
SHAPES_SECONDS = 600  # the reference shapes cache, dropped at each import anyway
BATCH = 500
UPDATED = ["service", "status", "status_updated_on", "post", "second_factor_hash"]
_NO_MATCH = "0" * 64  # compared against when there is no application, to keep one path
_EASTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$")


@dataclass(frozen=True)
class Row:
    """One application as a file or a request gives it, before it is checked.

    `where` names it in errors: "line 7" of a file, "application 3" of a request.
    """

    where: str
    reference: str
    service: str
    status: str
    last_update: str
    post: str
    date_of_birth: str


@dataclass(frozen=True)
class _Checked:
    reference: str
    service: str
    status: str
    status_updated_on: date
    post: str
    birth_date: date


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class LookupAnswer:
    """What the person is told, in their language, and what came of the look-up."""

    outcome: LookupOutcome
    text: str


# Reading what people and files write


def normalise_reference(text: str) -> str:
    return text.strip().upper()


def parse_date(text: str) -> date:
    """A date written 1990-03-12, or day first: 12/03/1990, 12-03-1990, 12.03.1990.

    Raises ValueError for anything else, and for days that do not exist (31/02/1990).
    """
    text = text.strip().translate(_EASTERN_DIGITS)
    if found := _ISO_DATE.match(text):
        year, month, day = found.groups()
    elif found := _DAY_FIRST.match(text):
        day, _separator, month, year = found.groups()
    else:
        raise ValueError(f"not a date: {text!r}")
    return date(int(year), int(month), int(day))


def parse_birth_date(text: str) -> date:
    """A date of birth: a real day, in the past, after 1900."""
    born = parse_date(text)
    if not date(1900, 1, 1) <= born <= timezone.localdate():
        raise ValueError("not a possible date of birth")
    return born


def shape_of(token: str) -> str:
    """What a reference looks like: ES-2026-000123 is AA-9999-999999."""
    return re.sub(r"[0-9]", "9", re.sub(r"[A-Z]", "A", token.upper()))


def reference_hash(desk: Desk, reference: str) -> str:
    """The keyed hash a reference is logged and remembered by, instead of itself."""
    return lookup_hash(f"application-reference:{desk.pk}:{normalise_reference(reference)}")


def _second_factor_hash(reference_key: str, born: date | str) -> str:
    value = born.isoformat() if isinstance(born, date) else f"unreadable:{born}"
    return lookup_hash(f"application-birth-date:{reference_key}:{value}")


# Importing


def read_csv(content: bytes) -> list[Row]:
    """The rows of a CSV file (UTF-8, comma, semicolon or tab separated, a header line naming
    the COLUMNS in any order; other columns are ignored). Raises Invalid naming the line."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("the file is not UTF-8 text (save it as CSV UTF-8)") from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [re.sub(r"[\s-]+", "_", name.strip().lower()) for name in next(reader, [])]
        missing = [column for column in COLUMNS if column not in header]
        if missing:
            raise Invalid(
                f"line 1: the header lacks {', '.join(missing)} "
                f"(the columns are {', '.join(COLUMNS)})"
            )
        position = {column: header.index(column) for column in COLUMNS}
        rows: list[Row] = []
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue  # a blank line
            where = f"line {reader.line_num}"
            if len(record) < len(header):
                raise Invalid(f"{where}: {len(record)} columns where the header has {len(header)}")
            if len(rows) == MAX_ROWS:
                raise Invalid(f"{where}: at most {MAX_ROWS} applications in one file")
            rows.append(Row(where, **{c: record[i] for c, i in position.items()}))
    except csv.Error as error:
        raise Invalid(f"line {reader.line_num}: not valid CSV ({error})") from None
    return rows


def _check(row: Row) -> _Checked:
    where = row.where
    reference = normalise_reference(row.reference)
    if not REFERENCE.match(reference):
        raise Invalid(
            f"{where}: reference {row.reference!r}: 1 to 40 letters and digits "
            "(with - / or . between them)"
        )
    status = re.sub(r"[\s_]+", "-", row.status.strip().lower())
    if status not in ApplicationStatus.values:
        raise Invalid(
            f"{where}: status {row.status!r} is not one of {', '.join(ApplicationStatus.values)}"
        )
    texts = {"service": " ".join(row.service.split()), "post": " ".join(row.post.split())}
    for name, value in texts.items():
        if not 0 < len(value) <= MAX_TEXT:
            raise Invalid(f"{where}: {name}: write 1 to {MAX_TEXT} characters")
    try:
        updated_on = parse_date(row.last_update)
    except ValueError:
        raise Invalid(
            f"{where}: last_update {row.last_update!r} is not a date "
            "(write 2026-03-12 or 12/03/2026)"
        ) from None
    if updated_on > timezone.localdate() + timedelta(days=1):
        raise Invalid(f"{where}: last_update {row.last_update!r} is in the future")
    try:
        born = parse_birth_date(row.date_of_birth)
    except ValueError:
        # The value itself stays out of the message: it is personal data, and errors travel.
        raise Invalid(
            f"{where}: date_of_birth is not a possible date of birth "
            "(write 1990-03-12 or 12/03/1990)"
        ) from None
    return _Checked(reference, texts["service"], status, updated_on, texts["post"], born)


def _add_services(desk: Desk, services: set[str]) -> None:
    """The services an import brings that the desk has not named yet (models.py says why
    they are kept apart)."""
    ApplicationService.objects.bulk_create(
        [ApplicationService(desk=desk, name=service) for service in sorted(services)],
        ignore_conflicts=True,
    )


@transaction.atomic
def import_applications(*, desk: Desk, rows: Sequence[Row], by: User | None) -> ImportResult:
    """Add or update the desk's applications, by reference: all of the rows or, when any is
    wrong, none of them (Invalid names the first wrong row). Importing again changes nothing."""
    if not rows:
        raise Invalid("there are no applications to import")
    if len(rows) > MAX_ROWS:
        raise Invalid(f"at most {MAX_ROWS} applications at once")
    checked = [_check(row) for row in rows]
    first_seen: dict[str, str] = {}
    for row, entry in zip(rows, checked, strict=True):
        if entry.reference in first_seen:
            raise Invalid(f"{row.where}: the reference is already on {first_seen[entry.reference]}")
        first_seen[entry.reference] = row.where
    # One import of a desk at a time: two adding one reference would otherwise collide.
    Desk.objects.select_for_update().values_list("pk", flat=True).get(pk=desk.pk)
    existing = _existing(desk, [reference_hash(desk, entry.reference) for entry in checked])
    now = timezone.now()
    created: list[Application] = []
    updated: list[Application] = []
    for entry in checked:
        key = reference_hash(desk, entry.reference)
        values: dict[str, Any] = {
            "service": entry.service,
            "status": entry.status,
            "status_updated_on": entry.status_updated_on,
            "post": entry.post,
            "second_factor_hash": _second_factor_hash(key, entry.birth_date),
        }
        application = existing.get(key)
        if application is None:
            created.append(
                Application(desk=desk, reference=entry.reference, reference_hash=key, **values)
            )
        elif any(getattr(application, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(application, name, value)
            application.updated_at = now
            updated.append(application)
    Application.objects.bulk_create(created, batch_size=BATCH)
    Application.objects.bulk_update(updated, [*UPDATED, "updated_at"], batch_size=BATCH)
    _add_services(desk, {entry.service for entry in checked})
    result = ImportResult(len(created), len(updated), len(checked) - len(created) - len(updated))
    audit(
        actor=by,
        action="applications.import",
        target=desk,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
    )
    # Dropped now for this transaction's own readers, and again once committed, in case
    # another reader cached the shapes from before the import meanwhile.
    cache.delete(_shapes_key(desk))
    transaction.on_commit(lambda: cache.delete(_shapes_key(desk)))
    return result


def _existing(desk: Desk, keys: list[str]) -> dict[str, Application]:
    """The desk's applications among those whose references hash to `keys`, by hash."""
    found: dict[str, Application] = {}
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        found.update(
            (a.reference_hash, a)
            for a in Application.objects.filter(desk=desk, reference_hash__in=chunk)
        )
    return found


# What the public side may know of a desk's applications


def _shapes_key(desk: Desk) -> str:
    return f"helpcentre:reference-shapes:{desk.pk}"


HEAD = 8  # the first characters of each reference kept in the cache, for references_start_with


def _reference_facts(desk: Desk) -> dict[str, list[str]]:
    """The shapes and the first characters of the desk's references, read (and decrypted)
    once per import and cached: what the chat needs to know of them all, never one."""
    facts = cache.get(_shapes_key(desk))
    if facts is None:
        references = Application.objects.filter(desk=desk).values_list("reference", flat=True)
        shapes, heads = set(), set()
        for reference in references.iterator():
            heads.add(reference[:HEAD])
            if re.search(r"\d", reference):
                shapes.add(shape_of(reference))
        facts = {"shapes": sorted(shapes), "heads": sorted(heads)}
        cache.set(_shapes_key(desk), facts, timeout=SHAPES_SECONDS)
    return facts


def reference_shapes(desk: Desk) -> frozenset[str]:
    """The shapes of the desk's references that hold a digit (none: nothing loaded).

    A word in a message with one of these shapes is taken for a reference, known or not.
    """
    return frozenset(_reference_facts(desk)["shapes"])


def has_applications(desk: Desk) -> bool:
    return bool(reference_shapes(desk))


def references_start_with(desk: Desk, prefix: str) -> bool:
    """Whether any of the desk's references starts with `prefix` (a question about all of
    them, which tells nothing about any one)."""
    prefix = prefix.upper()
    heads = _reference_facts(desk)["heads"]
    if len(prefix) <= HEAD:
        return any(head.startswith(prefix) for head in heads)
    references = Application.objects.filter(desk=desk).values_list("reference", flat=True)
    return any(r.startswith(prefix) for r in references.iterator())


def application_for(user: Any, desk: Desk, reference: str) -> Application:
    """An application of a desk for a member of staff (who needs no date of birth): the
    reading is audited. The caller has checked the user's permission and desk."""
    key = reference_hash(desk, reference)
    found = Application.objects.filter(desk=desk, reference_hash=key).first()
    if found is None:
        raise NotFound("no application with this reference")
    audit(actor=user, action="application.view", target=found)
    return found


@transaction.atomic
def name_service(
    *, desk: Desk, service: str, names: dict[str, str], by: User | None
) -> ApplicationService:
    """Name what people apply for (as the imports write it) in other languages, all at once."""
    found = ApplicationService.objects.filter(desk=desk, name=service).first()
    if found is None:
        raise NotFound(f"desk {desk.slug} has no applications for {service!r}")
    try:
        validate_names(names)
    except ValidationError as error:
        raise Invalid(f"names: {' '.join(error.messages)}") from None
    found.names = {code: text.strip() for code, text in names.items()}
    found.save(update_fields=["names"])
    audit(actor=by, action="application_service.name", target=found, desk=desk.slug)
    return found


# Looking up


def ask_second_factor(
    *, desk: Desk, reference: str, channel: str, language: str
) -> tuple[str, str]:
    """Log that a person gave a reference without the date of birth; return the reference's
    keyed hash (to remember while waiting for the date) and the question to ask them."""
    key = reference_hash(desk, reference)
    StatusLookup.objects.create(
        desk=desk, reference_hash=key, channel=channel[:32], outcome=LookupOutcome.ASKED
    )
    with speaking(desk, language):
        return key, say.ask_for_birth_date()


def look_up(
    *,
    desk: Desk,
    reference: str,
    second_factor: str,
    channel: str,
    requester_key: str,
    language: str,
) -> LookupAnswer:
    """The status of the desk's application with this reference, if `second_factor` is the
    applicant's date of birth; the same neutral answer otherwise, and a refusal once the
    person or the reference has had too many tries. In `language` (the closest the
    interface speaks). `requester_key` names who asks: "contact:12", "address:203.0.113.5".
    """
    return look_up_by_hash(
        desk=desk,
        reference_key=reference_hash(desk, reference),
        second_factor=second_factor,
        channel=channel,
        requester_key=requester_key,
        language=language,
    )


@transaction.atomic
def look_up_by_hash(
    *,
    desk: Desk,
    reference_key: str,
    second_factor: str,
    channel: str,
    requester_key: str,
    language: str,
) -> LookupAnswer:
    """look_up() for a reference known by its keyed hash (remembered from an earlier message)."""
    channel = channel[:32]
    if not _within_limits(requester_key, reference_key):
        return _answer(desk, reference_key, channel, LookupOutcome.REFUSED, None, language)
    application = Application.objects.filter(desk=desk, reference_hash=reference_key).first()
    try:
        given: date | str = parse_birth_date(second_factor)
    except ValueError:
        given = second_factor[:40]
    # Hashed and compared whether or not the reference exists: both refusals take one path.
    offered = _second_factor_hash(reference_key, given)
    expected = application.second_factor_hash if application else _NO_MATCH
    if hmac.compare_digest(offered, expected) and application is not None:
        audit(actor=None, action="application.status-given", target=application, channel=channel)
        return _answer(desk, reference_key, channel, LookupOutcome.FOUND, application, language)
    _count_wrong_try(reference_key)
    return _answer(desk, reference_key, channel, LookupOutcome.NOT_FOUND, None, language)


def _blocked_key(reference_key: str) -> str:
    return f"helpcentre:reference-blocked:{reference_key}"


def _within_limits(requester_key: str, reference_key: str) -> bool:
    if not allow(
        "status-lookup", requester_key, limit=PER_REQUESTER, per_seconds=REQUESTER_SECONDS
    ):
        return False
    return not cache.get(_blocked_key(reference_key))


def _count_wrong_try(reference_key: str) -> None:
    # The counter says when the last allowed wrong try has been made; the mark refuses the
    # tries after it, right or wrong.
    if not allow(
        "status-lookup-wrong",
        reference_key,
        limit=WRONG_PER_REFERENCE - 1,
        per_seconds=REFERENCE_SECONDS,
    ):
        cache.set(_blocked_key(reference_key), True, timeout=REFERENCE_SECONDS)


def _answer(
    desk: Desk,
    reference_key: str,
    channel: str,
    outcome: LookupOutcome,
    application: Application | None,
    language: str,
) -> LookupAnswer:
    StatusLookup.objects.create(
        desk=desk,
        application=application,
        reference_hash=reference_key,
        channel=channel,
        outcome=outcome,
    )
    with speaking(desk, language):
        if application is not None:
            text = say.status(application)
        elif outcome == LookupOutcome.REFUSED:
            text = say.too_many_attempts()
        else:
            text = say.not_found()
    return LookupAnswer(outcome, text)


def forget_looked_up_references(
    sender: Any, now: datetime, dry_run: bool, **kwargs: Any
) -> dict[str, int]:
    """After their retention, status look-ups keep when, where and what came of them (the
    figures), not the hash of the reference tried."""
    cutoff = now - timedelta(days=settings.STATUS_LOOKUP_RETENTION_DAYS)
    old = StatusLookup.objects.filter(created_at__lt=cutoff).exclude(reference_hash="")
    return {"status look-up references": old.count() if dry_run else old.update(reference_hash="")}
