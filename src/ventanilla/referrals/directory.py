"""Keeping the directory of services: one service saved, a whole CSV imported (every row or
none, each error naming its row) and the directory exported in the same columns.

A CSV has one row per service; its organisation is named in the row and made when new.
Names and descriptions in other languages go in columns `name_<code>` and
`description_<code>` (name_ar, description_zgh); yes/no columns take yes, no, 1, 0, true,
false; dates are YYYY-MM-DD.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from ventanilla.desks.models import Desk
from ventanilla.lib.errors import Invalid
from ventanilla.lib.names import shipped_languages
from ventanilla.lib.tables import csv_lines
from ventanilla.privacy.services import audit
from ventanilla.referrals.models import Organisation, Service

FIELDS = [
    "key", "organisation", "name", "type", "description", "languages", "country", "region",
    "city", "address", "latitude", "longitude", "hours", "cost", "accepts_undocumented",
    "asks_address", "asks_id", "phone", "email", "website", "verified_on", "active",
]  # fmt: skip
REQUIRED = ("key", "organisation", "name", "type")
FLAGS = ("accepts_undocumented", "asks_address", "asks_id", "active")
YES = {"yes", "y", "1", "true", "si", "sí", "oui", "ja"}
NO = {"no", "n", "0", "false", "non", "nee", "nein"}
MAX_ROWS = 5000
MAX_ERRORS = 20


def columns(desk: Desk) -> list[str]:
    """The columns of the desk's CSV: the fields, then a name and a description column for
    each language other than the desk's main one."""
    others = [code for code in dict.fromkeys([*desk.languages, *shipped_languages()])][1:]
    return [*FIELDS, *(f"name_{c}" for c in others), *(f"description_{c}" for c in others)]


@dataclass(frozen=True)
class Imported:
    created: int
    updated: int


@transaction.atomic
def save_service(
    *, desk: Desk, key: str, values: dict[str, Any], by: User | None, service: Service | None = None
) -> Service:
    """Add a service to the desk's directory, or change one (found by `key`, or `service`
    given to change its key too). `values` holds the model's fields by name, and
    `organisation` as a name (made when new)."""
    values = dict(values)
    organisation = _organisation(desk, values.pop("organisation", None), values)
    found = service or Service.objects.filter(desk=desk, key=key).first()
    created = found is None
    found = found or Service(desk=desk)
    before = _state(found)
    found.key = key
    if organisation is not None:
        found.organisation = organisation
    for field, value in values.items():
        setattr(found, field, value)
    if not created and _state(found) == before:
        return found  # nothing changed: its date of change stays (the guide's offline copy too)
    if found.organisation_id is None:
        raise Invalid("organisation: name the organisation that gives this service")
    try:
        found.full_clean(exclude=["desk", "organisation"], validate_constraints=False)
    except ValidationError as error:
        raise Invalid(_describe(error)) from error
    clash = Service.objects.filter(desk=desk, key=key).exclude(pk=found.pk).exists()
    if clash:
        raise Invalid(f"key: the desk already lists a service {key}")
    found.save()
    action = "service.create" if created else "service.update"
    audit(actor=by, action=action, target=found, key=found.key)
    return found


@transaction.atomic
def save_organisation(
    *, desk: Desk, name: str, names: dict[str, str], website: str = "", by: User | None
) -> Organisation:
    """Add an organisation to the desk's directory, or rename it in other languages."""
    found = Organisation.objects.filter(desk=desk, name=name.strip()).first()
    if found is not None and (found.names, found.website) == (names, website):
        return found
    found = found or Organisation(desk=desk, name=name.strip())
    found.names, found.website = names, website
    try:
        found.full_clean(exclude=["desk"], validate_constraints=False)
    except ValidationError as error:
        raise Invalid(_describe(error)) from error
    found.save()
    audit(actor=by, action="organisation.save", target=found, name=found.name)
    return found


def _state(service: Service) -> dict[str, Any]:
    return {
        f.attname: getattr(service, f.attname)
        for f in Service._meta.concrete_fields
        if f.attname != "updated_at"
    }


def _organisation(desk: Desk, name: Any, values: dict[str, Any]) -> Organisation | None:
    website = values.pop("organisation_website", None)
    if name is None:
        return None
    name = str(name).strip()
    if not name or len(name) > 200:
        raise Invalid("organisation: a name of 1 to 200 characters")
    found, _made = Organisation.objects.get_or_create(desk=desk, name=name)
    if website is not None and website != found.website:
        found.website = website
        found.save(update_fields=["website"])
    return found


def _describe(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(str(m) for m in messages)}"
            for field, messages in error.message_dict.items()
        )
    return " ".join(str(m) for m in error.messages)


# Import


@transaction.atomic
def import_services(*, desk: Desk, text: str, by: User | None) -> Imported:
    """Add or change the services of a CSV, matched by key: all of them, or, when any row is
    wrong, none (Invalid names each wrong row, the first twenty)."""
    rows = list(_rows(text))
    if not rows:
        raise Invalid("the file has a header but no service")
    if len(rows) > MAX_ROWS:
        raise Invalid(f"at most {MAX_ROWS} services per file")
    existing = set(Service.objects.filter(desk=desk).values_list("key", flat=True))
    errors: list[str] = []
    seen: dict[str, int] = {}
    created = updated = 0
    for number, row in rows:
        key = row.get("key", "").strip()
        if key in seen:
            errors.append(f"row {number}: key {key} is already on row {seen[key]}")
            continue
        seen[key] = number
        try:
            with transaction.atomic():
                save_service(desk=desk, key=key, values=_values(desk, row), by=None)
        except Invalid as error:
            errors.append(f"row {number}" + (f" ({key})" if key else "") + f": {error.detail}")
            if len(errors) >= MAX_ERRORS:
                break
            continue
        created, updated = (created + 1, updated) if key not in existing else (created, updated + 1)
    if errors:
        raise Invalid("nothing was imported: " + "; ".join(errors))
    audit(actor=by, action="service.import", target=desk, created=created, updated=updated)
    return Imported(created=created, updated=updated)


def _rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    if not header:
        raise Invalid("the file is empty: its first line names the columns")
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise Invalid(f"the file has no column {', '.join(missing)}")
    unknown = [
        name
        for name in header
        if name not in FIELDS
        and not name.startswith(("name_", "description_"))
        and name != "organisation_website"
    ]
    if unknown:
        raise Invalid(f"unknown columns: {', '.join(unknown)} (known: {', '.join(FIELDS)})")
    reader.fieldnames = header
    for row in reader:
        if None in row:
            raise Invalid(f"row {reader.line_num}: more cells than columns")
        cells = {name: _unguarded(value or "") for name, value in row.items()}
        if any(cells.values()):
            yield reader.line_num, cells


def _unguarded(cell: str) -> str:
    """A cell as exported: an apostrophe kept a spreadsheet from running it as a formula."""
    cell = cell.strip()
    return cell[1:] if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@") else cell


def _values(desk: Desk, row: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field, cell in row.items():
        if field in FIELDS and field != "key":
            values[field] = _parsed(field, cell)
    names = {f[5:]: cell for f, cell in row.items() if f.startswith("name_") and cell}
    descriptions = {
        f[12:]: cell for f, cell in row.items() if f.startswith("description_") and cell
    }
    if "organisation_website" in row:
        values["organisation_website"] = row["organisation_website"]
    values["names"], values["descriptions"] = names, descriptions
    return values


def _parsed(field: str, cell: str) -> Any:
    if field in FLAGS:
        if not cell:
            return field != "asks_address" and field != "asks_id"
        if cell.lower() not in YES | NO:
            raise Invalid(f"{field}: {cell!r} is not yes or no")
        return cell.lower() in YES
    if field == "languages":
        return [code.strip() for code in cell.replace(",", " ").split() if code.strip()]
    if field in ("latitude", "longitude"):
        if not cell:
            return None
        try:
            return Decimal(cell.replace(",", "."))
        except InvalidOperation as error:
            raise Invalid(f"{field}: {cell!r} is not a number") from error
    if field == "verified_on":
        if not cell:
            return None
        try:
            return date.fromisoformat(cell)
        except ValueError as error:
            raise Invalid(f"verified_on: {cell!r} is not a date such as 2026-12-01") from error
    if field == "country":
        return cell.upper()
    if field in ("type", "cost"):
        return cell.lower()
    return cell


# Export


def export_services(*, desk: Desk, by: User | None) -> Iterator[str]:
    """The desk's whole directory in the import's columns: edited and imported again, it
    changes nothing that was not edited."""
    audit(actor=by, action="service.export", target=desk)
    header = columns(desk)
    found = Service.objects.filter(desk=desk).select_related("organisation").order_by("key")
    return csv_lines(header, (_row(service, header) for service in found))


def _row(service: Service, header: list[str]) -> list[Any]:
    row: list[Any] = []
    for column in header:
        if column == "organisation":
            row.append(service.organisation.name)
        elif column.startswith("name_"):
            row.append(service.names.get(column[5:], ""))
        elif column.startswith("description_"):
            row.append(service.descriptions.get(column[12:], ""))
        else:
            value = getattr(service, column)
            if isinstance(value, bool):
                value = "yes" if value else "no"
            elif column == "languages":
                value = " ".join(value)
            row.append("" if value is None else value)
    return row
