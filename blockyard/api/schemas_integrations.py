"""Bodies of the integrations routes. No schema here has a field that can hold a secret:
drafts (with the secret) come in as :data:`~blockyard.integrations.drafts.CredentialDraft`,
and everything that goes out is metadata."""

from typing import Literal

from pydantic import BaseModel, Field

from blockyard.api.schemas import Timestamp
from blockyard.integrations.drafts import CredentialMeta


class CredentialPublic(BaseModel):
    id: str
    provider: str
    type: Literal["api_key", "oauth2", "user_password", "host_scoped"]
    title: str
    username: str | None = None
    host: str | None = None
    header_names: list[str] = Field(default_factory=list)
    scopes: list[str] = Field(default_factory=list)
    expires_at: Timestamp = None
    status: Literal["active", "broken"] = "active"
    status_reason: str | None = None
    created_at: Timestamp = None
    updated_at: Timestamp = None

    @classmethod
    def of(cls, meta: CredentialMeta) -> "CredentialPublic":
        return cls.model_validate(
            {
                **{name: getattr(meta, name) for name in CredentialMeta.__slots__},
                "header_names": list(meta.header_names),
                "scopes": list(meta.scopes),
            }
        )


class CredentialsDeleted(BaseModel):
    deleted: Literal[True] = True
    revoked: bool = Field(description="OAuth2 tokens were revoked at the provider.")


class ProviderPublic(BaseModel):
    name: str
    title: str
    credential_types: list[str]
    oauth_configured: bool


class LoginPublic(BaseModel):
    login_url: str
    state_token: str


class OAuthCallback(BaseModel):
    code: str = Field(min_length=1, max_length=4096)
    state_token: str = Field(min_length=1, max_length=512)
