"""The database schema as typed SQLAlchemy 2 declarative tables.

The Alembic revisions create exactly these tables, and a test checks that the
migrated schema and this metadata do not differ. Conventions, the same on both dialects:

- ids are strings (UUIDs in text form, or the ids an imported agent file carries);
- timestamps are floats, epoch seconds, like the engine's records;
- JSON columns are ``JSON`` (``JSONB`` on PostgreSQL), encoded by :mod:`.codec`;
- statuses are plain strings (no database enums: adding a status needs no migration).

Row classes end in ``Row``; the repositories turn them into the domain types the rest of
the code uses (``User``, ``ApiKey``, :class:`~blockyard.graph.model.Graph`, engine records).
"""

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Double,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JsonType = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
"""JSON everywhere, JSONB on PostgreSQL; Python None is SQL NULL, not JSON null."""

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        str: String(),
        int: Integer(),
        float: Double(),
        dict[str, Any]: JsonType,
        list[Any]: JsonType,
    }


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(unique=True)
    """Stored lower-cased, so uniqueness is case-insensitive on both dialects."""
    name: Mapped[str]
    password_hash: Mapped[str]
    is_admin: Mapped[bool]
    created_at: Mapped[float]


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str]
    prefix: Mapped[str] = mapped_column(unique=True)
    key_hash: Mapped[str]
    scopes: Mapped[list[Any]]
    status: Mapped[str]
    created_at: Mapped[float]
    last_used_at: Mapped[float | None]
    revoked_at: Mapped[float | None]


class RefreshTokenRow(Base):
    __tablename__ = "refresh_tokens"

    jti: Mapped[str] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[float]
    revoked_at: Mapped[float | None]


class BlockRow(Base):
    """A mirror of the block registry, upserted on start (for SQL joins and the admin)."""

    __tablename__ = "blocks"

    id: Mapped[str] = mapped_column(primary_key=True)
    name: Mapped[str]
    input_schema: Mapped[dict[str, Any]]
    output_schema: Mapped[dict[str, Any]]
    updated_at: Mapped[float]


class GraphRow(Base):
    """One version of one agent. Only one version of an id is active."""

    __tablename__ = "graphs"

    id: Mapped[str] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str]
    description: Mapped[str]
    is_active: Mapped[bool]
    created_at: Mapped[float]
    updated_at: Mapped[float]


class NodeRow(Base):
    """A node of one graph version. Ids are unique within the version (not globally), so
    a new version may keep the node ids of the one it was saved from."""

    __tablename__ = "nodes"
    __table_args__ = (
        ForeignKeyConstraint(
            ["graph_id", "graph_version"], ["graphs.id", "graphs.version"], ondelete="CASCADE"
        ),
    )

    graph_id: Mapped[str] = mapped_column(primary_key=True)
    graph_version: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[str] = mapped_column(primary_key=True)
    ordinal: Mapped[int]
    """Position in the graph's node list, so a graph reads back in the order it was saved."""
    block_id: Mapped[str]
    input_default: Mapped[dict[str, Any]]
    meta: Mapped[dict[str, Any]] = mapped_column("metadata")
    policy: Mapped[dict[str, Any] | None]


class LinkRow(Base):
    __tablename__ = "links"
    __table_args__ = (
        ForeignKeyConstraint(
            ["graph_id", "graph_version"], ["graphs.id", "graphs.version"], ondelete="CASCADE"
        ),
    )

    graph_id: Mapped[str] = mapped_column(primary_key=True)
    graph_version: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[str] = mapped_column(primary_key=True)
    ordinal: Mapped[int]
    source_id: Mapped[str]
    sink_id: Mapped[str]
    source_name: Mapped[str]
    sink_name: Mapped[str]
    is_static: Mapped[bool]


class GraphExecRow(Base):
    """A run of a graph version. No foreign key to ``graphs``: runs outlive their graph."""

    __tablename__ = "graph_executions"
    __table_args__ = (
        Index("ix_graph_executions_user_created", "user_id", "created_at"),
        Index("ix_graph_executions_graph", "graph_id"),
        Index("ix_graph_executions_parent", "parent_exec_id"),
        Index("ix_graph_executions_user_status", "user_id", "status"),
    )

    id: Mapped[str] = mapped_column(primary_key=True)
    graph_id: Mapped[str]
    graph_version: Mapped[int]
    user_id: Mapped[str]
    status: Mapped[str]
    inputs: Mapped[dict[str, Any]]
    node_input_masks: Mapped[dict[str, Any]]
    parent_exec_id: Mapped[str | None]
    idempotency_key: Mapped[str | None] = mapped_column(unique=True)
    rerun_of: Mapped[dict[str, Any] | None]
    created_at: Mapped[float]
    started_at: Mapped[float | None]
    ended_at: Mapped[float | None]
    error: Mapped[str | None]
    stats: Mapped[dict[str, Any]]
    event_seq: Mapped[int] = mapped_column(BigInteger)


class NodeExecRow(Base):
    __tablename__ = "node_executions"
    __table_args__ = (Index("ix_node_executions_graph_exec_seq", "graph_exec_id", "seq"),)

    id: Mapped[str] = mapped_column(primary_key=True)
    graph_exec_id: Mapped[str] = mapped_column(
        ForeignKey("graph_executions.id", ondelete="CASCADE")
    )
    node_id: Mapped[str]
    block_id: Mapped[str]
    status: Mapped[str]
    input_data: Mapped[dict[str, Any]]
    output_data: Mapped[dict[str, Any]]
    seq: Mapped[int] = mapped_column(BigInteger)
    end_seq: Mapped[int] = mapped_column(BigInteger)
    event_seq: Mapped[int] = mapped_column(BigInteger, server_default="0")
    attempt: Mapped[int]
    error: Mapped[str | None]
    added_at: Mapped[float]
    queued_at: Mapped[float | None]
    started_at: Mapped[float | None]
    ended_at: Mapped[float | None]
    stats: Mapped[dict[str, Any]]


class CreditTransactionRow(Base):
    """One credit movement of the ledger (see ``store/ledger.py``): ``amount`` is signed
    (``USAGE`` negative, written by the engine with a node's completion; ``TOP_UP``,
    ``GRANT``, ``REFUND`` by an administrator or the sign-up grant), ``running_balance`` the
    user's balance right after it. No foreign key to ``users``: the ledger is a record."""

    __tablename__ = "credit_transactions"
    __table_args__ = (
        Index("ix_credit_transactions_user_created", "user_id", "created_at"),
        Index("ix_credit_transactions_graph_exec_id", "graph_exec_id"),
    )

    id: Mapped[str] = mapped_column(primary_key=True)
    user_id: Mapped[str]
    amount: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str]
    running_balance: Mapped[int] = mapped_column(BigInteger, server_default="0")
    graph_exec_id: Mapped[str | None]
    node_exec_id: Mapped[str | None]
    block_id: Mapped[str | None]
    reason: Mapped[str | None] = mapped_column(Text)
    admin_id: Mapped[str | None]
    """The administrator who made a top-up, grant or refund."""
    created_at: Mapped[float]


class UserCreditRow(Base):
    """A user's balance: the sum of their transactions, kept with every one of them. Its row
    is what a reservation or a charge locks. No foreign key to ``users``: a charge in the
    engine's group commit must never fail on a key (it would fail everyone's batch)."""

    __tablename__ = "user_credits"

    user_id: Mapped[str] = mapped_column(primary_key=True)
    balance: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[float]


class CreditHolderRow(Base):
    """A process that may hold reservations, alive while it renews ``renewed_at``; the
    reservations of one that stopped renewing (it crashed) no longer count."""

    __tablename__ = "credit_holders"

    id: Mapped[str] = mapped_column(primary_key=True)
    renewed_at: Mapped[float]


class CreditReservationRow(Base):
    """Credits one process holds for a user's nodes running there (reserved before a node
    runs, consumed by its charge or given back)."""

    __tablename__ = "credit_reservations"
    __table_args__ = (Index("ix_credit_reservations_user_id", "user_id"),)

    holder: Mapped[str] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(primary_key=True)
    amount: Mapped[int] = mapped_column(BigInteger)


class CredentialRow(Base):
    """One saved credential of a user; the secret part is AES-GCM encrypted (see
    ``integrations/crypto.py``): ``secret`` and ``nonce`` are base64, ``key_id`` names the
    key it was sealed with, so a key rotation can find and re-seal every row."""

    __tablename__ = "credentials"
    __table_args__ = (Index("ix_credentials_user_provider", "user_id", "provider"),)

    id: Mapped[str] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    provider: Mapped[str]
    type: Mapped[str]
    title: Mapped[str]
    key_id: Mapped[str] = mapped_column(index=True)
    nonce: Mapped[str]
    secret: Mapped[str]
    meta: Mapped[dict[str, Any]] = mapped_column("metadata")
    """What may be shown: host, username, header names, provider account."""
    scopes: Mapped[list[Any]]
    expires_at: Mapped[float | None]
    status: Mapped[str]
    status_reason: Mapped[str | None]
    created_at: Mapped[float]
    updated_at: Mapped[float]


class OAuthStateRow(Base):
    """A sign-in with an OAuth2 provider in progress: one use, bound to its user, expiring."""

    __tablename__ = "oauth_states"

    token_hash: Mapped[str] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str]
    code_verifier: Mapped[str]
    scopes: Mapped[list[Any]]
    redirect_uri: Mapped[str]
    expires_at: Mapped[float]


class LeaseRow(Base):
    """A named lock shared by every process (e.g. one OAuth2 refresh at a time per
    credential); it expires, so a crashed holder cannot keep it."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(primary_key=True)
    holder: Mapped[str]
    expires_at: Mapped[float]


class KnowledgeBaseRow(Base):
    """A user's named knowledge base: the embedding model it was built with and the size
    of its vectors (every chunk added later must match both)."""

    __tablename__ = "knowledge_bases"

    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(primary_key=True)
    model: Mapped[str]
    dimensions: Mapped[int]
    created_at: Mapped[float]


class KnowledgeChunkRow(Base):
    """A chunk of a document in a knowledge base, with its vector as packed float32
    (``array("f").tobytes()``): the portable form the exact search reads on both dialects.
    On PostgreSQL with pgvector, :mod:`.knowledge` adds an ``embedding_vector`` column at run
    time (not part of this schema, see the store README)."""

    __tablename__ = "knowledge_chunks"
    __table_args__ = (
        ForeignKeyConstraint(
            ["user_id", "base"],
            ["knowledge_bases.user_id", "knowledge_bases.name"],
            ondelete="CASCADE",
        ),
        Index("ix_knowledge_chunks_user_id_base", "user_id", "base"),
    )

    id: Mapped[str] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    base: Mapped[str]
    document: Mapped[str]
    text: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any]]
    embedding: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[float]


class McpExposedAgentRow(Base):
    """An agent its owner exposes as a tool of Blockyard's MCP server. No foreign key to
    ``graphs`` (whose key includes the version); the API checks the agent is the user's."""

    __tablename__ = "mcp_exposed_agents"

    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    graph_id: Mapped[str] = mapped_column(primary_key=True)
    created_at: Mapped[float]


class ScheduleRow(Base):
    """A cron schedule of an agent with saved inputs (see ``engine/schedules.py``). No
    foreign key to ``graphs`` (whose key includes the version): a schedule whose agent is
    deleted is disabled when it next fires."""

    __tablename__ = "schedules"
    __table_args__ = (Index("ix_schedules_enabled_next_run_at", "enabled", "next_run_at"),)

    id: Mapped[str] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    graph_id: Mapped[str] = mapped_column(index=True)
    graph_version: Mapped[int | None]
    name: Mapped[str]
    cron: Mapped[str]
    timezone: Mapped[str]
    inputs: Mapped[dict[str, Any]]
    enabled: Mapped[bool]
    next_run_at: Mapped[float | None]
    last_run_at: Mapped[float | None]
    last_exec_id: Mapped[str | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[float]
    updated_at: Mapped[float]


metadata = Base.metadata
