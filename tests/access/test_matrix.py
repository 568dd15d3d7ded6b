"""Who may use what: every page of the site and every operation of the API, found by walking
the URL configuration and the API's schema, is probed as each role (anonymous, admin,
supervisor, agent, volunteer, analyst, and a supervisor of another desk), on an ordinary
conversation of the volunteer's team and on a protection case of another team.

Each endpoint has an explicit rule below; a new page or operation without one fails the
suite until someone decides who may use it. The Django admin is Django's own (its
permissions come from the roles' groups: tests/admin)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import transaction

from matrix_world import (
    ROLES,
    Endpoint,
    World,
    api_endpoints,
    api_inputs,
    build_world,
    fresh_cache_prefix,
    page_routes,
    refused,
    request,
)

STAFF = frozenset(ROLES) - {"anonymous"}
DESK = STAFF - {"outsider"}  # the desk's own staff: a desk one does not work at is hidden
WORKERS = frozenset({"admin", "supervisor", "agent", "volunteer"})  # who answers people
AGENTS = WORKERS - {"volunteer"}  # and the earlier work, the applications, the guide's use
MANAGERS = frozenset({"admin", "supervisor"})
FIGURES = frozenset({"admin", "supervisor", "analyst"})
ADMIN = frozenset({"admin"})
SECOND_FACTOR = frozenset({"admin", "supervisor", "outsider"})  # those who enrolled one
PROTECTION = MANAGERS  # and the protection team, which the agent is not in


@dataclass(frozen=True)
class Rule:
    """Who gets in. `own_desk`: the thing belongs to the demo desk, so the other desk's
    supervisor is refused. `case`: the path names a conversation, probed again on a
    protection case of another team, which only the desk's admins and supervisors see."""

    roles: frozenset[str]
    own_desk: bool = False
    case: bool = False

    def expected(self, role: str, restricted: bool) -> bool:
        allowed = role in self.roles and not (self.own_desk and role == "outsider")
        if restricted:
            allowed = allowed and role in MANAGERS
        return allowed


@dataclass(frozen=True)
class Public:
    """Open to anyone, the same for everyone signed in or not; `why` says what guards it
    instead (a rate limit, a provider's signature, a signed link, nothing to guard)."""

    why: str


def desk(roles: frozenset[str]) -> Rule:
    return Rule(roles, own_desk=True)


def conversation(roles: frozenset[str]) -> Rule:
    return Rule(roles, own_desk=True, case=True)


API_RULES: dict[str, Rule | Public] = {
    "GET /api/v1/health": Public("nothing personal: up or not"),
    "GET /api/v1/audit": Rule(MANAGERS | {"outsider"}),  # the log of one's own desks
    "GET /api/v1/calls": Rule(AGENTS | {"volunteer", "outsider"}),  # one's desks' calls
    "GET /api/v1/calls/{call_id}": desk(WORKERS),
    "POST /api/v1/calls/next": Rule(WORKERS | {"outsider"}),
    "POST /api/v1/calls/{call_id}/callback": desk(WORKERS),
    "GET /api/v1/complaints": Rule(WORKERS | {"outsider"}),  # those of what one may see
    "POST /api/v1/complaints": conversation(WORKERS),  # names a conversation in its body
    "GET /api/v1/complaints/{number}": conversation(WORKERS),
    "POST /api/v1/complaints/{number}/entries": conversation(MANAGERS),
    "POST /api/v1/complaints/{number}/close": conversation(MANAGERS),
    "POST /api/v1/channels": Rule(ADMIN),
    "GET /api/v1/channels": Rule(MANAGERS | {"outsider"}),
    "PATCH /api/v1/channels/{channel_id}": desk(ADMIN),
    "GET /api/v1/channels/{channel_id}": desk(MANAGERS),
    "GET /api/v1/channels/{channel_id}/templates": desk(WORKERS),
    "GET /api/v1/channels/{channel_id}/voice": desk(MANAGERS),
    "PATCH /api/v1/channels/{channel_id}/voice": desk(ADMIN),
    "GET /api/v1/channels/{channel_id}/voice/prompts": desk(MANAGERS),
    "PUT /api/v1/channels/{channel_id}/voice/prompts/{language}/{key}": desk(ADMIN),
    "DELETE /api/v1/channels/{channel_id}/voice/prompts/{language}/{key}": desk(ADMIN),
    "POST /api/v1/contacts/{pseudonym}/erase": desk(MANAGERS),
    "GET /api/v1/contacts/{pseudonym}/consents": desk(WORKERS),
    "POST /api/v1/contacts/{pseudonym}/consents": desk(WORKERS),
    "GET /api/v1/conversations": Rule(WORKERS | {"outsider"}),  # the ones each may see
    "GET /api/v1/conversations/stats": Rule(FIGURES | {"outsider"}),
    "GET /api/v1/conversations/{key}": conversation(WORKERS),
    "PATCH /api/v1/conversations/{key}": conversation(WORKERS),
    "POST /api/v1/conversations/{key}/reveal": conversation(MANAGERS),
    "POST /api/v1/conversations/{key}/escalate": conversation(WORKERS),
    "GET /api/v1/conversations/{key}/messages": conversation(WORKERS),
    "POST /api/v1/conversations/{key}/messages": conversation(WORKERS),
    "POST /api/v1/conversations/{key}/attachments": conversation(WORKERS),
    "GET /api/v1/conversations/{key}/attachments/{attachment_id}": conversation(WORKERS),
    "GET /api/v1/desks": Rule(WORKERS | {"outsider"}),
    "GET /api/v1/desks/{slug}": desk(WORKERS),
    "PATCH /api/v1/desks/{slug}": desk(ADMIN),
    "GET /api/v1/desks/{slug}/calendar": desk(WORKERS),
    "GET /api/v1/desks/{slug}/teams": desk(WORKERS),
    "PATCH /api/v1/desks/{slug}/teams/{team_slug}": desk(ADMIN),
    "GET /api/v1/desks/{slug}/request-types": desk(WORKERS),
    "POST /api/v1/desks/{slug}/request-types": desk(ADMIN),
    "PATCH /api/v1/desks/{slug}/request-types/{type_slug}": desk(ADMIN),
    "DELETE /api/v1/desks/{slug}/request-types/{type_slug}": desk(ADMIN),
    "GET /api/v1/desks/{slug}/texts": desk(MANAGERS),
    "PUT /api/v1/desks/{slug}/texts/{language}": desk(MANAGERS),
    "DELETE /api/v1/desks/{slug}/texts/{language}": desk(MANAGERS),
    "POST /api/v1/desks/{slug}/applications": desk(MANAGERS),
    "GET /api/v1/desks/{slug}/survey": desk(MANAGERS),
    "PATCH /api/v1/desks/{slug}/survey": desk(MANAGERS),
    "GET /api/v1/desks/{slug}/applications/{reference}": desk(AGENTS),
    "GET /api/v1/desks/{slug}/application-services": desk(AGENTS),
    "PUT /api/v1/desks/{slug}/application-services/{service}": desk(MANAGERS),
    "POST /api/v1/kb/articles": Rule(MANAGERS | {"outsider"}),
    "GET /api/v1/kb/articles": Rule(WORKERS | {"outsider"}),
    "GET /api/v1/kb/articles/{key}": Rule(WORKERS | {"outsider"}),  # the guide is shared
    "GET /api/v1/kb/search": Rule(WORKERS | {"outsider"}),
    "GET /api/v1/kb/topics": Rule(WORKERS | {"outsider"}),
    "PATCH /api/v1/kb/topics/{key}": Rule(ADMIN),
    "GET /api/v1/services": Rule(WORKERS | {"outsider"}),  # one's desks' directories
    "POST /api/v1/services": Rule(ADMIN),  # names a desk in its body
    "POST /api/v1/services/import": Rule(ADMIN),  # names its desk in the query
    "GET /api/v1/services/{service_id}": desk(WORKERS),
    "PATCH /api/v1/services/{service_id}": desk(ADMIN),
    "POST /api/v1/conversations/{conversation_id}/referrals": conversation(WORKERS),
    "POST /api/v1/conversations/{conversation_id}/transfer": conversation(WORKERS),
    "GET /api/v1/referrals": Rule(WORKERS | {"outsider"}),  # of what one may see
    "GET /api/v1/protection-reports": Rule(PROTECTION | {"outsider"}),
    "POST /api/v1/protection-reports": conversation(WORKERS),  # names it in its body
    "GET /api/v1/protection-reports/counts": Rule(FIGURES | {"outsider"}),
    "GET /api/v1/protection-reports/{report_id}": desk(PROTECTION),
    "PATCH /api/v1/protection-reports/{report_id}": desk(PROTECTION),
    "GET /api/v1/referrals/outcomes": Rule(FIGURES | {"outsider"}),  # counts of one's desks
    "GET /api/v1/referrals/{referral_id}": conversation(WORKERS),
    "PATCH /api/v1/referrals/{referral_id}": conversation(WORKERS),
    "GET /api/v1/reports/sla": Rule(FIGURES | {"outsider"}),
    "GET /api/v1/reports/calls": Rule(FIGURES | {"outsider"}),
    "GET /api/v1/reports/kpis": Rule(FIGURES | {"outsider"}),
    "GET /api/v1/reports/monthly": Rule(FIGURES | {"outsider"}),
    "GET /api/v1/reports/advocacy": Rule(FIGURES | {"outsider"}),
    "GET /api/v1/surveys/results": Rule(FIGURES | {"outsider"}),  # aggregates of one's desks
    "GET /api/v1/me/tokens": Rule(STAFF),
    "POST /api/v1/me/tokens": Rule(STAFF),
    "DELETE /api/v1/me/tokens/{token_id}": Rule(STAFF),  # one's own
    "GET /api/v1/me/availability": Rule(STAFF),
    "PUT /api/v1/me/availability": Rule(STAFF),
    "PUT /api/v1/staff/{username}/phone": desk(MANAGERS),  # for people below one's role
}

# Pages: the methods each answers, and who may use it.
PAGE_RULES: dict[str, tuple[tuple[str, ...], Rule | Public]] = {
    "/": (("get",), Public("a redirect to the help centre")),
    "/favicon.ico": (("get",), Public("a file")),
    "/accounts/login/": (("get", "post"), Public("lock-out per account and per address")),
    "/accounts/two-factor/": (("get", "post"), Rule(SECOND_FACTOR)),  # others: to enrol
    "/accounts/two-factor/enrol/": (("get", "post"), Rule(STAFF)),
    "/accounts/password_reset/": (("get", "post"), Public("rate-limited per address")),
    "/accounts/password_reset/done/": (("get",), Public("a page of text")),
    "/accounts/reset/{uidb64}/{token}/": (("get", "post"), Public("a signed one-time link")),
    "/accounts/reset/done/": (("get",), Public("a page of text")),
    "/accounts/logout/": (("post",), Public("ends one's own session")),
    "/accounts/password_change/": (("get", "post"), Rule(STAFF)),
    "/accounts/password_change/done/": (("get",), Rule(STAFF)),
    "/console/": (("get",), Rule(STAFF)),  # analysts are sent to the figures
    "/console/c/{conversation_id}/": (("get",), conversation(WORKERS)),
    "/console/c/{conversation_id}/history/": (("get",), conversation(WORKERS)),
    "/console/c/{conversation_id}/translations/": (("post",), conversation(WORKERS)),
    "/console/c/{conversation_id}/files/{attachment_id}/": (("get",), conversation(WORKERS)),
    "/console/c/{conversation_id}/canned/": (("get",), conversation(WORKERS)),
    "/console/c/{conversation_id}/reply/": (("post",), conversation(WORKERS)),
    "/console/c/{conversation_id}/template/": (("post",), conversation(WORKERS)),
    "/console/c/{conversation_id}/note/": (("post",), conversation(WORKERS)),
    "/console/c/{conversation_id}/assign/": (("post",), conversation(WORKERS)),
    "/console/c/{conversation_id}/transfer/": (("post",), conversation(WORKERS)),
    "/console/c/{conversation_id}/classify/": (("post",), conversation(WORKERS)),
    "/console/c/{conversation_id}/tags/": (("post",), conversation(WORKERS)),
    "/console/c/{conversation_id}/resolve/": (("post",), conversation(WORKERS)),
    "/console/c/{conversation_id}/reopen/": (("post",), conversation(WORKERS)),
    "/console/c/{conversation_id}/escalate/": (("post",), conversation(WORKERS)),
    "/console/c/{conversation_id}/erase/": (("post",), conversation(MANAGERS)),
    "/console/c/{conversation_id}/restrict/": (("post",), conversation(WORKERS)),
    "/console/c/{conversation_id}/reveal/": (("post",), conversation(MANAGERS)),
    "/console/c/{conversation_id}/complaint/": (("post",), conversation(WORKERS)),
    "/console/c/{conversation_id}/post/": (("post",), conversation(WORKERS)),
    "/console/c/{conversation_id}/services/": (("get",), conversation(WORKERS)),
    "/console/c/{conversation_id}/refer/": (("post",), conversation(WORKERS)),
    "/console/c/{conversation_id}/transfer-desk/": (("post",), conversation(WORKERS)),
    "/console/c/{conversation_id}/report/": (("post",), conversation(WORKERS)),
    "/console/c/{conversation_id}/suggestions/": (("get",), conversation(WORKERS)),
    "/console/c/{conversation_id}/learn/": (("post",), conversation(WORKERS)),
    "/console/c/{conversation_id}/calls/{call_id}/call-back/": (
        ("post",),
        conversation(WORKERS),
    ),
    "/console/handover/": (("get", "post"), Rule(WORKERS | {"outsider"})),
    "/console/notifications/": (("get", "post"), Rule(STAFF)),
    "/console/notifications/unread/": (("get",), Rule(STAFF)),
    "/console/supervisor/": (("get",), Rule(MANAGERS | {"outsider"})),
    "/console/canned/": (("get",), Rule(WORKERS | {"outsider"})),
    "/console/canned/new/": (("get", "post"), Rule(MANAGERS | {"outsider"})),
    "/console/canned/{canned_id}/": (("get", "post"), desk(MANAGERS)),
    "/console/me/availability/": (("post",), Rule(STAFF)),
    "/console/me/language/": (("post",), Rule(STAFF)),
    "/console/me/security/": (("get",), Rule(STAFF)),
    "/console/me/security/recovery-codes/": (("post",), Rule(SECOND_FACTOR)),
    "/console/me/security/second-factor-off/": (("post",), Rule(SECOND_FACTOR)),
    "/console/me/security/sign-out-everywhere/": (("post",), Public("ends one's own sessions")),
    "/console/me/security/tokens/": (("post",), Rule(STAFF)),
    "/console/me/security/tokens/{token_id}/revoke/": (("post",), Rule(STAFF)),  # one's own
    "/console/staff/": (("get",), Rule(MANAGERS | {"outsider"})),
    "/console/audit/": (("get",), Rule(MANAGERS | {"outsider"})),
    "/console/complaints/": (("get",), Rule(MANAGERS | {"outsider"})),
    "/console/complaints/lists/": (("get", "post"), Rule(MANAGERS | {"outsider"})),
    "/console/complaints/{number}/": (("get", "post"), conversation(MANAGERS)),
    "/console/surveys/": (("get",), Rule(FIGURES | {"outsider"})),
    "/console/services/": (("get",), Rule(WORKERS | {"outsider"})),
    "/console/services/new/": (("get", "post"), Rule(ADMIN)),
    "/console/services/import/": (("get", "post"), Rule(ADMIN)),
    "/console/services/{service_id}/": (("get", "post"), desk(ADMIN)),
    "/console/services/export/{slug}.csv": (("get",), desk(ADMIN)),
    "/console/referrals/": (("get",), Rule(WORKERS | {"outsider"})),
    "/console/protection/": (("get",), Rule(PROTECTION | {"outsider"})),
    "/console/protection/{report_id}/": (("get", "post"), desk(PROTECTION)),
    "/console/referrals/{referral_id}/": (("post",), conversation(WORKERS)),
    "/console/referrals/settings/{slug}/": (("post",), desk(MANAGERS)),
    "/console/reviews/": (("get",), Rule(WORKERS | {"outsider"})),  # supervisors; one's own
    "/console/reviews/draw/": (("post",), Rule(MANAGERS | {"outsider"})),
    "/console/reviews/scores/": (("get",), Rule(MANAGERS | {"outsider"})),
    "/console/reviews/{review_id}/": (
        ("get", "post"),
        desk(frozenset({"admin", "supervisor", "agent"})),
    ),  # the agent reviewed too
    "/console/reviews/{review_id}/acknowledge/": (
        ("post",),
        desk(frozenset({"agent"})),
    ),  # only the agent
    "/console/surveys/{slug}/settings/": (("post",), desk(MANAGERS)),
    "/console/staff/{user_id}/": (("post",), desk(MANAGERS)),
    "/console/statistics/": (("get",), Rule(FIGURES | {"outsider"})),
    "/console/statistics/{table}.{form}": (("get",), Rule(FIGURES | {"outsider"})),
    "/console/statistics/monthly/": (("get", "post"), Rule(FIGURES | {"outsider"})),
    "/console/statistics/advocacy/": (("get",), Rule(FIGURES | {"outsider"})),
    "/console/statistics/advocacy/dataset.csv": (("get",), Rule(FIGURES | {"outsider"})),
    "/console/statistics/monthly/{monthly_id}.{form}": (("get",), desk(FIGURES)),
    "/console/phones/": (("get", "post"), Rule(WORKERS | {"outsider"})),
    "/console/phones/queue/": (("get",), Rule(STAFF)),
    "/console/phones/take-call/": (("post",), Rule(WORKERS | {"outsider"})),
    "/console/guide/": (("get", "post"), Rule(MANAGERS | {"outsider"})),
    "/console/guide/gaps/": (("get",), Rule(MANAGERS | {"outsider"})),
    "/console/guide/gaps/article/": (("post",), Rule(MANAGERS | {"outsider"})),
    "/console/guide/gaps/question/": (("post",), Rule(MANAGERS | {"outsider"})),
    "/console/guide/gaps/aside/": (("post",), Rule(MANAGERS | {"outsider"})),
    "/console/guide/{key}/": (("get", "post"), Rule(MANAGERS | {"outsider"})),
    "/console/guide/{key}/text/": (("post",), Rule(MANAGERS | {"outsider"})),
    "/console/guide/{key}/machine/": (("post",), Rule(MANAGERS | {"outsider"})),
    "/console/guide/{key}/state/": (("post",), Rule(MANAGERS | {"outsider"})),
    "/console/guide/{key}/practical/": (("post",), Rule(MANAGERS | {"outsider"})),
    "/console/guide/{key}/about/": (("post",), Rule(MANAGERS | {"outsider"})),
    "/console/texts/": (("get",), Rule(MANAGERS | {"outsider"})),
    "/console/texts/{slug}/": (("get",), desk(MANAGERS)),
    "/console/texts/{slug}/language/": (("post",), desk(MANAGERS)),
    "/console/texts/{slug}/{language}/": (("get",), desk(MANAGERS)),
    "/console/texts/{slug}/{language}/{key_hash}/": (("get", "post"), desk(MANAGERS)),
    "/webhooks/{channel_id}/": (("get", "post"), Public("the provider's signature")),
    "/webhooks/{channel_id}/{action}/": (("post",), Public("the provider's signature")),
    "/files/{token}/": (("get",), Public("a signed link that expires")),
    "/voice/prompts/{prompt_id}/{version}/": (("get",), Public("a recording callers hear")),
    "/i18n/setlang/": (("post",), Public("one's own language")),
    "/webchat/{channel_id}/": (("get",), Public("the chat's page")),
    "/webchat/{channel_id}/widget.js": (("get",), Public("the chat's script")),
    "/webchat/{channel_id}/session": (("post",), Public("rate-limited per address")),
    "/webchat/{channel_id}/messages": (
        ("get", "post"),
        Public("the visitor's token; rate-limited per token and address"),
    ),
    "/help/{desk}/request/": (("get", "post"), Public("rate-limited per address")),
    "/help/{desk}/request/sent/": (("get",), Public("a page of text")),
    "/help/{desk}/follow-up/": (("get", "post"), Public("rate-limited per address and code")),
    "/help/{desk}/follow-up/close/": (("post",), Public("ends one's own follow-up")),
    "/help/{desk}/follow-up/{reference}/": (("get", "post"), Public("the private code")),
    "/help/{desk}/follow-up/{reference}/files/{attachment_id}/": (
        ("get",),
        Public("the private code"),
    ),
    "/help/": (("get",), Public("the public guide")),
    "/help/{desk}/": (("get",), Public("the public guide")),
    "/help/{desk}/{lang}/": (("get",), Public("the public guide")),
    "/help/{desk}/{lang}/search": (("get",), Public("rate-limited per address")),
    "/help/{desk}/{lang}/services/": (("get",), Public("the public directory of services")),
    "/help/{desk}/{lang}/status/": (("get", "post"), Public("rate-limited per address")),
    "/help/{desk}/{lang}/topics/{topic}/": (("get",), Public("the public guide")),
    "/help/{desk}/{lang}/articles/{key}/": (("get",), Public("the public guide")),
    "/help/{desk}/{lang}/offline/": (("get",), Public("the public guide")),
    "/help/{desk}/{lang}/offline.json": (("get",), Public("the public guide")),
    "/help/{desk}/{lang}/sw.js": (("get",), Public("the public guide")),
    "/help/{desk}/{lang}/manifest.webmanifest": (("get",), Public("the public guide")),
}


def endpoints() -> list[tuple[Endpoint, Rule | Public]]:
    found = [(endpoint, API_RULES[endpoint.name]) for endpoint in api_endpoints()]
    for path in page_routes():
        methods, rule = PAGE_RULES[path]
        found += [(Endpoint(path, method, path), rule) for method in methods]
    return found


def test_every_page_and_operation_has_a_rule():
    operations = {endpoint.name for endpoint in api_endpoints()}
    pages = set(page_routes())
    assert sorted(operations - set(API_RULES)) == [], "operations without a rule"
    assert sorted(pages - set(PAGE_RULES)) == [], "pages without a rule"
    assert sorted(set(API_RULES) - operations) == [], "rules of operations that are gone"
    assert sorted(set(PAGE_RULES) - pages) == [], "rules of pages that are gone"


# Inputs of the documented shape where the schema's simplest is refused before the role is
# looked at (a list that may not be empty).
INPUTS = {
    "POST /api/v1/complaints": ({}, {"conversation": "{conversation_id}"}),
    "POST /api/v1/protection-reports": (
        {},
        {"conversation": "{conversation_id}", "violation": "other"},
    ),
    "POST /api/v1/complaints/{number}/entries": ({}, {"kind": "amendment", "text": "Nota"}),
    "POST /api/v1/conversations/{conversation_id}/referrals": (
        {},
        {"services": ["{service_id}"], "consent": True, "send": False},
    ),
    "POST /api/v1/desks/{slug}/applications": (
        {},
        {
            "applications": [
                {
                    "reference": "PAS-1",
                    "service": "Pasaporte",
                    "status": "received",
                    "last_update": "2026-03-12",
                    "post": "Madrid",
                    "date_of_birth": "1990-03-12",
                }
            ]
        },
    ),
}


def probe(world: World, endpoint: Endpoint, role: str, restricted: bool) -> tuple[int, bool]:
    """Ask as `role`, in a transaction undone afterwards: what one role changes (a
    conversation resolved, a token revoked) never changes what the next one meets."""
    inputs = INPUTS.get(endpoint.name) or api_inputs().get(endpoint.name, ({}, None))
    client = world.client(role, endpoint.api)
    cookies = client.cookies.copy()
    with transaction.atomic():
        response = request(world, endpoint, role, restricted, inputs)
        transaction.set_rollback(True)
    client.cookies = cookies  # signing out ends the client's session: it is given back
    fresh_cache_prefix()  # and the cache: sessions' generations, counts of attempts
    return response.status_code, refused(response)


@pytest.mark.parametrize("part", ["api", "pages"])
def test_each_role_gets_exactly_what_its_rule_says(db, part):
    world = build_world()
    wrong = []
    for endpoint, rule in endpoints():
        if endpoint.api != (part == "api"):
            continue
        variants = [False, True] if isinstance(rule, Rule) and rule.case else [False]
        for restricted in variants:
            seen = {role: probe(world, endpoint, role, restricted) for role in ROLES}
            where = f"{endpoint.method.upper()} {endpoint.path}{' (case)' if restricted else ''}"
            if isinstance(rule, Public):
                outcomes = {status for status, _ in seen.values()}
                if len(outcomes) != 1:
                    wrong.append(f"{where}: public, yet answers differ by role: {seen}")
                continue
            for role, (status, was_refused) in seen.items():
                if was_refused == rule.expected(role, restricted):
                    wrong.append(f"{where}: {role} {'refused' if was_refused else 'let in'} "
                                 f"({status})")  # fmt: skip
    assert wrong == [], "\n".join(wrong)
