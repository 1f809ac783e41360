"""One settings object, read from ``BLOCKYARD_*`` environment variables and an optional ``.env``.

Every default works on a laptop: SQLite in ``./data``, in-process queue and event bus.
Secrets (encryption key, JWT secret) are generated into the data folder on first start by
``wiring``, never hard-coded here.
"""

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, NonNegativeInt, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLOCKYARD_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Folder for the SQLite file, keys and media.")
    database_url: str = Field("", description="SQLAlchemy URL; empty means SQLite in data_dir.")
    redis_url: str = Field("", description="Redis URL; empty means in-process queue and bus.")
    host: str = Field("127.0.0.1", description="Address `serve` listens on.")
    port: int = Field(8000, description="Port `serve` listens on.")
    workers: int = Field(1, ge=0, description="Engine workers inside `serve` (0: API only).")
    max_user_schedules: int = Field(100, ge=0, description="Most schedules a user may have.")
    scheduler: bool = Field(
        True,
        description=(
            "Fire due schedules from this process. Safe in several processes at once (each "
            "fire starts one run); turn off where a process should only serve the API."
        ),
    )
    encryption_key: str = Field("", description="Base64 AES key; generated when empty.")
    jwt_secret: str = Field("", description="HS256 secret; generated when empty.")
    access_token_minutes: int = Field(30, ge=1, description="Lifetime of an access token.")
    refresh_token_days: int = Field(30, ge=1, description="Lifetime of a refresh token.")
    max_request_bytes: int = Field(10 * 1024 * 1024, description="Largest accepted body.")
    max_graph_nodes: int = Field(20_000, ge=1, description="Most nodes an agent may have.")
    node_concurrency: int = Field(64, ge=1, description="Nodes running at once per execution.")
    user_concurrency: int = Field(256, ge=1, description="Nodes running at once per user.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Least severe log level written."
    )
    allow_registration: bool = Field(True, description="Let anyone sign up; off: admins add users.")
    outbound_allow: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "Private, loopback or otherwise internal destinations that blocks may reach anyway "
            "(the SSRF guard refuses them by default): comma-separated IPs, CIDRs (10.0.0.0/8) "
            "and host names (minio.internal, *.corp.example)."
        ),
    )
    outbound_max_bytes: int = Field(
        20 * 1024 * 1024, ge=1, description="Largest response body a block may download."
    )
    outbound_max_redirects: int = Field(
        5, ge=0, description="Redirects a block follows per request, each checked again."
    )
    media_dir: Path | None = Field(
        None, description="Folder of the media store on disk; empty means <data_dir>/media."
    )
    media_max_bytes: int = Field(
        100 * 1024 * 1024, ge=1, description="Largest file the media store accepts."
    )
    media_s3_bucket: str = Field("", description="S3 bucket for media; set it to use S3.")
    media_s3_endpoint_url: str = Field(
        "", description="S3-compatible endpoint (MinIO, R2...); empty means AWS."
    )
    media_s3_region: str = Field("us-east-1", description="S3 region of the media bucket.")
    media_s3_access_key_id: str = Field("", description="S3 access key; empty uses AWS defaults.")
    media_s3_secret_access_key: str = Field("", description="S3 secret key for the access key.")
    media_s3_prefix: str = Field("media/", description="Key prefix of media objects in the bucket.")
    platform_url: str = Field(
        "",
        description=(
            "Public base URL of this server, where OAuth2 providers send users back "
            "(<url>/auth/integrations/oauth_callback); empty means http://<host>:<port>."
        ),
    )
    github_client_id: str = Field("", description="GitHub OAuth app client id (GitHub logins).")
    github_client_secret: str = Field("", description="GitHub OAuth app client secret.")
    google_client_id: str = Field("", description="Google OAuth client id (Google logins).")
    google_client_secret: str = Field("", description="Google OAuth client secret.")
    oidc_issuer: str = Field(
        "",
        description=(
            "Issuer URL of a generic OAuth2/OpenID Connect provider (endpoints read from "
            "<issuer>/.well-known/openid-configuration); its credentials use provider 'oidc'."
        ),
    )
    oidc_client_id: str = Field("", description="Client id at the OpenID Connect provider.")
    oidc_client_secret: str = Field("", description="Client secret at the OIDC provider.")
    oidc_scopes: str = Field(
        "openid email profile offline_access",
        description="Scopes asked of the OpenID Connect provider, space-separated.",
    )
    login_attempts_per_minute: int = Field(
        10, ge=1, description="Sign-in attempts allowed per e-mail address and per client IP."
    )
    api_key_requests_per_minute: int = Field(
        1200, ge=1, description="Requests allowed per API key each minute (then 429)."
    )
    max_graph_links: int = Field(100_000, ge=1, description="Most links an agent may have.")
    max_input_bytes: int = Field(
        1024 * 1024, ge=1, description="Largest run input (as JSON) an execution accepts."
    )
    max_node_output_bytes: int = Field(
        4 * 1024 * 1024,
        ge=1024,
        description=(
            "Largest output kept per node execution (stored, sent live and passed on); "
            "bigger values are truncated with a marker."
        ),
    )
    max_user_executions: int = Field(
        50, ge=1, description="Runs a user may have queued or running at once (more: 429)."
    )
    sandbox_timeout_seconds: float = Field(
        10.0, gt=0, description="Longest wall-clock time a code block may run."
    )
    sandbox_memory_mb: int = Field(
        256, ge=32, description="Address-space limit of a code block's process, in MiB."
    )
    sandbox_allow_unisolated: bool = Field(
        False,
        description=(
            "Let code blocks run when the server cannot isolate them fully (not root: no "
            "network namespace or chroot; or no libseccomp: no system-call filter); they get "
            "every layer the machine has, resource limits at least. See docs/sandbox.md."
        ),
    )

    credits_enabled: bool = Field(
        False,
        description=(
            "Bill runs in credits: each node's cost is reserved before it runs and charged "
            "with its completion; a run stops when the balance runs out. Off: nothing is "
            "reserved or charged and costs show as 0. See docs/credits.md."
        ),
    )
    signup_credits: int = Field(
        0, ge=0, description="Credits granted to each user when their account is opened."
    )
    credits_block_costs: dict[str, NonNegativeInt] = Field(
        default_factory=dict,
        description=(
            'Credits per run by block id, as JSON ({"<block id>": 5}); replaces the '
            "block's own cost (and its model's)."
        ),
    )
    credits_model_costs: dict[str, NonNegativeInt] = Field(
        default_factory=dict,
        description=(
            'Credits per run of an AI block by model, as JSON ({"gpt-4o": 3}), charged when '
            "the block has no credentials of the user's; a model not listed whose provider "
            "has a platform key costs its list price for 1,000 tokens in and out, in cents."
        ),
    )
    llm_platform_keys: dict[str, str] = Field(
        default_factory=dict,
        description=(
            'The operator\'s API keys by provider, as JSON ({"openai": "sk-..."}); used, '
            "and paid for with credits, when an AI block has no credentials of the user's."
        ),
    )
    llm_base_urls: dict[str, str] = Field(
        default_factory=dict,
        description=(
            'Base URL per LLM provider, as JSON ({"ollama": "http://127.0.0.1:11434/v1"}); '
            "providers: openai, anthropic, groq, open_router, ollama, openai_compatible (any "
            "OpenAI-compatible server: vLLM, llama.cpp...)."
        ),
    )
    llm_models: list[dict[str, Any]] = Field(
        default_factory=list,
        description=(
            "Extra models for the catalogue, as a JSON list of {name, provider, "
            "context_window, max_output_tokens, input_price, output_price, kind} (prices in "
            "dollars per million tokens; kind chat or embedding)."
        ),
    )
    llm_timeout_seconds: float = Field(
        60.0, gt=0, description="How long to wait for an LLM provider before giving up."
    )
    llm_max_retries: int = Field(
        3, ge=0, description="Retries, with backoff, of an LLM request refused with 429 or 5xx."
    )
    mcp_stdio_servers: dict[str, list[str]] = Field(
        default_factory=dict,
        description=(
            "MCP servers the MCP Tool block may start as local processes, by name, as JSON "
            '({"files": ["mcp-server-files", "/srv"]}); blocks can start no other command.'
        ),
    )

    @field_validator("outbound_allow", mode="before")
    @classmethod
    def _split_allow_list(cls, value: object) -> object:
        """Accept ``a,b,c`` from the environment as well as a list."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'blockyard.db').as_posix()}"


def settings_reference() -> str:
    """Every setting as a Markdown table: its environment variable, default and meaning."""
    lines = [
        "| variable | default | meaning |",
        "| --- | --- | --- |",
    ]
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        shown = "*(empty)*" if default in ("", None, []) else f"`{default}`"
        meaning = (field.description or "").replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `BLOCKYARD_{name.upper()}` | {shown} | {meaning} |")
    return "\n".join(lines) + "\n"
