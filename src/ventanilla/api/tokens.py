"""API v1: one's own API tokens: list them, make one, revoke one."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from ventanilla.api import services
from ventanilla.api.models import ApiToken
from ventanilla.api.services import MAX_DAYS
from ventanilla.lib.errors import NotFound

router = Router(tags=["tokens"])


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The token's first characters, to tell tokens apart.")
    scope: Literal["read", "write"]
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None = Field(description="Null: until revoked.")


class TokenIn(Schema):
    name: str = Field("", max_length=100, description="What the token is for.")
    scope: Literal["read", "write"] = "write"
    expires_in_days: int | None = Field(None, ge=1, le=MAX_DAYS, description="Null: never.")


class NewTokenOut(TokenOut):
    token: str = Field(description="The token itself: shown this once, only its hash is kept.")


@router.get("", response=list[TokenOut])
def list_tokens(request: HttpRequest) -> Any:
    """Your tokens, newest first (the tokens themselves are never shown again)."""
    user: Any = request.user
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


@router.post("", response={201: NewTokenOut})
def make_token(request: HttpRequest, payload: TokenIn) -> Status[Any]:
    """A new token for yourself, with its own name, scope and lifetime."""
    user: Any = request.user
    token = services.issue_token(
        user=user,
        by=user,
        name=payload.name,
        scope=payload.scope,
        expires_in_days=payload.expires_in_days,
    )
    made = services.token_named(token)
    return Status(201, {**TokenOut.from_orm(made).dict(), "token": token})


@router.delete("/{token_id}", response={204: None})
def revoke(request: HttpRequest, token_id: int) -> Status[None]:
    """Revoke one of your tokens: it stops opening the API at once."""
    user: Any = request.user
    found = ApiToken.objects.filter(user=user, pk=token_id).first()
    if found is None:
        raise NotFound("you have no token with this id")
    services.revoke_token(token=found, by=user)
    return Status(204, None)
