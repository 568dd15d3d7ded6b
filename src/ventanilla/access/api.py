"""API v1: the audit log, for supervisors (what concerns their desks) and administrators."""

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, Query, Router, Schema

from ventanilla.access.selectors import AuditFilters, audit_visible_to
from ventanilla.access.services import export_audit

router = Router(tags=["audit"])


class AuditQuery(Schema):
    from_: date | None = Field(None, alias="from", description="From this day on")
    to: date | None = Field(None, description="Up to this day, included")
    actor: str = Field("", max_length=150, description='A username, or "system"')
    action: str = Field("", max_length=64, description='"signin" also finds "signin.refused"')
    format: Literal["json", "csv"] = "json"
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class AuditOut(Schema):
    at: datetime
    actor: str | None = Field(description="Null: ventanilla itself (webhooks, tasks)")
    action: str
    desk: int | None
    target_type: str
    target_id: str
    detail: dict[str, Any]

    @staticmethod
    def resolve_actor(entry: Any) -> str | None:
        return entry.actor.get_username() if entry.actor else None

    @staticmethod
    def resolve_desk(entry: Any) -> int | None:
        return entry.desk_id


class AuditPage(Schema):
    items: list[AuditOut]
    count: int


def _filters(query: AuditQuery) -> AuditFilters:
    return AuditFilters(
        first=query.from_, last=query.to, actor=query.actor.strip(), action=query.action.strip()
    )


@router.get("", response=AuditPage)
def list_audit(request: HttpRequest, query: Query[AuditQuery]) -> Any:
    """Who read, searched, exported, revealed or changed what, and every sign-in, latest
    first, `limit` at a time from `offset`. `format=csv`: every matching entry as a CSV file
    (the export itself is recorded)."""
    if query.format == "csv":
        lines = export_audit(user=request.user, filters=_filters(query))
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit.csv"'
        return response
    found = audit_visible_to(request.user, _filters(query))
    return {"items": list(found[query.offset : query.offset + query.limit]), "count": found.count()}
