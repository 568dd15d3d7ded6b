"""The REST API v1: routers from each app, token authentication, JSON errors, OpenAPI."""

from django.db import connection
from django.http import HttpRequest
from huey.contrib.djhuey import HUEY
from ninja import NinjaAPI, Schema, Status

import ventanilla
from ventanilla.access.api import router as audit_router
from ventanilla.accountability.api import router as complaints_router
from ventanilla.accountability.surveys_api import results_router as surveys_router
from ventanilla.accountability.surveys_api import settings_router as survey_settings_router
from ventanilla.api import errors
from ventanilla.api.auth import TokenAuth
from ventanilla.api.contacts import router as contacts_router
from ventanilla.api.conversations import router as conversations_router
from ventanilla.api.parser import JsonParser
from ventanilla.api.tokens import router as tokens_router
from ventanilla.calls.api import router as calls_router
from ventanilla.calls.api import staff_router, voice_router
from ventanilla.channels.api import router as channels_router
from ventanilla.desks.api import router as desks_router
from ventanilla.helpcentre.api import router as applications_router
from ventanilla.knowledge.api import router as knowledge_router
from ventanilla.referrals.api import services_router
from ventanilla.referrals.protection_api import router as protection_router
from ventanilla.referrals.referral_api import conversation_router as conversation_referrals_router
from ventanilla.referrals.referral_api import referrals_router
from ventanilla.reports.api import router as reports_router
from ventanilla.teamwork.api import router as teamwork_router

api = NinjaAPI(
    title="ventanilla",
    version="1",
    description=(
        "The contact centre of a migrant information service. Authenticate with "
        "`Authorization: Bearer <token>` (make one with `ventanilla token USERNAME --role ROLE`). "
        'Errors are JSON `{"error": code, "detail": text}`.'
    ),
    auth=TokenAuth(),
    parser=JsonParser(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)


class HealthOut(Schema):
    status: str
    version: str
    database: str
    queue: str


@api.get("/v1/health", auth=None, response={200: HealthOut, 503: HealthOut}, tags=["health"])
def health(request: HttpRequest) -> Status[HealthOut]:
    """Whether this process reaches its database and its task queue."""
    database = queue = "ok"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        database = "unreachable"
    try:
        HUEY.pending_count()
    except Exception:
        queue = "unreachable"
    ok = database == queue == "ok"
    body = HealthOut(
        status="ok" if ok else "unavailable",
        version=ventanilla.__version__,
        database=database,
        queue=queue,
    )
    return Status(200 if ok else 503, body)


api.add_router("/v1/audit", audit_router)
api.add_router("/v1/calls", calls_router)
api.add_router("/v1/channels", channels_router)
api.add_router("/v1/channels", voice_router)
api.add_router("/v1/complaints", complaints_router)
api.add_router("/v1/contacts", contacts_router)
api.add_router("/v1/conversations", conversations_router)
api.add_router("/v1/conversations", conversation_referrals_router)
api.add_router("/v1/desks", desks_router)
api.add_router("/v1/desks", applications_router)
api.add_router("/v1/desks", survey_settings_router)
api.add_router("/v1/kb", knowledge_router)
api.add_router("/v1/protection-reports", protection_router)
api.add_router("/v1/referrals", referrals_router)
api.add_router("/v1/reports", reports_router)
api.add_router("/v1/services", services_router)
api.add_router("/v1/surveys", surveys_router)
api.add_router("/v1/me/tokens", tokens_router)
api.add_router("/v1/me", teamwork_router)
api.add_router("/v1/staff", staff_router)
