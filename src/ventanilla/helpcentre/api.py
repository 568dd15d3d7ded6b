"""API v1: a desk's application statuses, loaded from its case-management system."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from ventanilla.desks.selectors import desk_for
from ventanilla.helpcentre.applications import (
    MAX_ROWS,
    Row,
    application_for,
    import_applications,
    name_service,
)
from ventanilla.helpcentre.models import Application, ApplicationService
from ventanilla.lib.access import require

router = Router(tags=["applications"])


class ApplicationIn(Schema):
    reference: str = Field(max_length=200, description="Unique in the desk; kept in capitals.")
    service: str = Field(max_length=500, description="What was applied for: Passport...")
    status: str = Field(
        max_length=100,
        description="received, in-review, documents-needed, approved, sent-to-post, "
        "ready-for-collection, collected or rejected",
    )
    last_update: str = Field(max_length=40, description="2026-03-12, or 12/03/2026 (day first)")
    post: str = Field(max_length=500, description="The consulate or office handling it.")
    date_of_birth: str = Field(
        max_length=40,
        description="The applicant's, 1990-03-12 or 12/03/1990: only a keyed hash is kept.",
    )


class ApplicationsIn(Schema):
    applications: list[ApplicationIn] = Field(min_length=1, max_length=MAX_ROWS)


class ImportOut(Schema):
    created: int
    updated: int
    unchanged: int


class ApplicationOut(Schema):
    reference: str
    service: str
    service_names: dict[str, str] = Field(
        description="What was applied for in other languages, as the desk named the service"
    )
    status: str
    last_update: date
    post: str
    imported_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_last_update(application: Application) -> date:
        return application.status_updated_on

    @staticmethod
    def resolve_service_names(application: Application) -> dict[str, str]:
        found = ApplicationService.objects.filter(
            desk_id=application.desk_id, name=application.service
        ).first()
        return dict(found.names) if found else {}


class ServiceOut(Schema):
    name: str = Field(description="As the imported applications write it")
    names: dict[str, str] = Field(description='In other languages: {"ar": "...", "fr": "..."}')


class ServiceNames(Schema):
    names: dict[str, str] = Field(description="Replaces them all ({} removes them)")


@router.post("/{slug}/applications", response=ImportOut)
def load_applications(request: HttpRequest, slug: str, payload: ApplicationsIn) -> Any:
    """Add or update applications by reference: all of them, or none when one is wrong (422
    naming it: "application 3: ...")."""
    require(request.user, "helpcentre.add_application")
    require(request.user, "helpcentre.change_application")
    rows = [
        Row(f"application {number}", **item.dict())
        for number, item in enumerate(payload.applications, start=1)
    ]
    user: Any = request.user
    return import_applications(desk=desk_for(user, slug), rows=rows, by=user)


@router.get("/{slug}/applications/{path:reference}", response=ApplicationOut)
def get_application(request: HttpRequest, slug: str, reference: str) -> Application:
    """An application's status for staff (no date of birth needed; the reading is audited)."""
    require(request.user, "helpcentre.view_application")
    return application_for(request.user, desk_for(request.user, slug), reference)


@router.get("/{slug}/application-services", response=list[ServiceOut])
def list_services(request: HttpRequest, slug: str) -> Any:
    """What people apply for at the desk, as the imports brought it, with its names."""
    require(request.user, "helpcentre.view_application")
    return ApplicationService.objects.filter(desk=desk_for(request.user, slug))


@router.put("/{slug}/application-services/{path:service}", response=ServiceOut)
def set_service_names(request: HttpRequest, slug: str, service: str, payload: ServiceNames) -> Any:
    """Name a service in other languages; people are told of their application in theirs."""
    require(request.user, "helpcentre.change_application")
    user: Any = request.user
    desk = desk_for(user, slug)
    return name_service(desk=desk, service=service, names=payload.names, by=user)
