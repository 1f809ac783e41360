"""What a user sends to save credentials, and what anyone is shown of saved ones.

A draft carries the secret (``SecretStr``: it never shows in a repr or a log) and is sealed
by the vault at once. :class:`CredentialMeta` is all the API ever returns: which provider
and type, a title, the non-secret parts (user name, host, header names, scopes), expiry and
whether the credential still works. No secret is in it, by construction.
"""

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StringConstraints

from blockyard.store.credentials import StoredCredential

PROVIDER_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
HOST_PATTERN = r"^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$"
HEADER_NAME = Annotated[str, StringConstraints(pattern=r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$")]
Title = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Secret = Annotated[SecretStr, Field(min_length=1, max_length=16_384)]
MAX_EPOCH = 253_402_300_799.0
"""The last second of the year 9999: later expiry times cannot be shown as dates."""


class _Draft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title = ""


class APIKeyDraft(_Draft):
    type: Literal["api_key"]
    api_key: Secret
    expires_at: float | None = Field(
        None, ge=0, le=MAX_EPOCH, description="Epoch seconds; None: never."
    )


class UserPasswordDraft(_Draft):
    type: Literal["user_password"]
    username: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    password: Secret


class HostScopedDraft(_Draft):
    type: Literal["host_scoped"]
    host: Annotated[str, StringConstraints(max_length=253, pattern=HOST_PATTERN)] = Field(
        description="The host (or *.domain) the headers may be sent to."
    )
    headers: dict[HEADER_NAME, Secret] = Field(min_length=1, max_length=50)


CredentialDraft = Annotated[
    APIKeyDraft | UserPasswordDraft | HostScopedDraft, Field(discriminator="type")
]


def draft_secret(draft: APIKeyDraft | UserPasswordDraft | HostScopedDraft) -> dict[str, Any]:
    """The part of a draft that is sealed."""
    if isinstance(draft, APIKeyDraft):
        return {"api_key": draft.api_key.get_secret_value()}
    if isinstance(draft, UserPasswordDraft):
        return {"username": draft.username, "password": draft.password.get_secret_value()}
    return {"headers": {k: v.get_secret_value() for k, v in draft.headers.items()}}


def draft_meta(draft: APIKeyDraft | UserPasswordDraft | HostScopedDraft) -> dict[str, Any]:
    """The part of a draft that may be shown."""
    if isinstance(draft, UserPasswordDraft):
        return {"username": draft.username}
    if isinstance(draft, HostScopedDraft):
        return {"host": draft.host.lower().rstrip("."), "header_names": sorted(draft.headers)}
    return {}


@dataclass(frozen=True, slots=True)
class CredentialMeta:
    id: str
    provider: str
    type: str
    title: str
    username: str | None
    host: str | None
    header_names: tuple[str, ...]
    scopes: tuple[str, ...]
    expires_at: float | None
    status: str
    status_reason: str | None
    created_at: float
    updated_at: float


def meta_of(cred: StoredCredential) -> CredentialMeta:
    meta = cred.meta
    return CredentialMeta(
        id=cred.id,
        provider=cred.provider,
        type=cred.type,
        title=cred.title,
        username=meta.get("username"),
        host=meta.get("host"),
        header_names=tuple(meta.get("header_names") or ()),
        scopes=cred.scopes,
        expires_at=cred.expires_at,
        status=cred.status,
        status_reason=cred.status_reason,
        created_at=cred.created_at,
        updated_at=cred.updated_at,
    )
