"""Credentials as blocks see them: a reference in the node's inputs, a secret at run time.

A block declares a credentials input with :func:`CredentialsField` (which providers and
credential types it accepts). The node stores only a :class:`CredentialsMeta` reference
(``{id, provider, type, title}``), never the secret; just before the block runs the engine
asks its CredentialResolver for the decrypted credential and puts it in
``ctx.credentials[field_name]`` as one of the types below, for the owner's runs only.

Secrets are :class:`pydantic.SecretStr`: they do not show in reprs or logs; call
``.get_secret_value()`` at the moment of use.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from blockyard.blocks.base import SchemaField

CredentialsType = Literal["api_key", "oauth2", "user_password", "host_scoped"]
CREDENTIALS_TYPES: tuple[str, ...] = ("api_key", "oauth2", "user_password", "host_scoped")


class CredentialsMeta(BaseModel):
    """What a node's credentials input holds: which saved credential to use."""

    model_config = ConfigDict(extra="ignore")

    id: str
    provider: str
    type: CredentialsType
    title: str | None = None


def CredentialsField(
    providers: str | list[str],
    types: CredentialsType | list[CredentialsType],
    *,
    description: str = "The saved credentials to use.",
    scopes: list[str] | None = None,
    required: bool = True,
) -> Any:
    """A credentials input; the editor shows a picker of the user's matching credentials."""
    extra: dict[str, Any] = {
        "credentials_provider": [providers] if isinstance(providers, str) else providers,
        "credentials_types": [types] if isinstance(types, str) else types,
    }
    if scopes:
        extra["credentials_scopes"] = scopes
    return SchemaField(
        ... if required else None,
        description=description,
        advanced=False,
        json_schema_extra=extra,
    )


class _Secret(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    provider: str
    title: str = ""


class APIKeyCredentials(_Secret):
    type: Literal["api_key"] = "api_key"
    api_key: SecretStr
    expires_at: float | None = None


class OAuth2Credentials(_Secret):
    type: Literal["oauth2"] = "oauth2"
    access_token: SecretStr
    refresh_token: SecretStr | None = None
    access_token_expires_at: float | None = None
    refresh_token_expires_at: float | None = None
    scopes: list[str] = Field(default_factory=list)
    username: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    def bearer(self) -> str:
        return f"Bearer {self.access_token.get_secret_value()}"


class UserPasswordCredentials(_Secret):
    type: Literal["user_password"] = "user_password"
    username: str
    password: SecretStr


class HostScopedCredentials(_Secret):
    """Headers sent only to requests whose host matches ``host``."""

    type: Literal["host_scoped"] = "host_scoped"
    host: str
    headers: dict[str, SecretStr] = Field(default_factory=dict)

    def plain_headers(self) -> dict[str, str]:
        return {k: v.get_secret_value() for k, v in self.headers.items()}


Credentials = (
    APIKeyCredentials | OAuth2Credentials | UserPasswordCredentials | HostScopedCredentials
)


def is_credentials_field(name: str) -> bool:
    """Fields named ``credentials`` or ``*_credentials`` hold references (AutoGPT's rule)."""
    return name == "credentials" or name.endswith("_credentials")
