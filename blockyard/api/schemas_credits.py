"""Request and response bodies of the credit routes (``routes/credits.py``)."""

from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from blockyard.api.schemas import Public, Timestamp
from blockyard.store.ledger import CreditKind

MAX_AMOUNT = 1_000_000_000
"""The largest number of credits one transaction may move (a typo guard)."""


class CreditsPublic(BaseModel):
    enabled: bool = Field(
        description="Whether this server bills runs in credits (when not, nothing is charged)."
    )
    balance: int = Field(description="Credits: the sum of every transaction.")
    reserved: int = Field(description="Credits held by nodes running now (charged when done).")
    available: int = Field(description="What new nodes may spend: balance less reserved.")


class CreditTransactionPublic(Public):
    id: str
    kind: CreditKind
    amount: int = Field(description="Signed: usage is negative, the other kinds positive.")
    running_balance: int = Field(description="The balance right after this transaction.")
    created_at: Timestamp = None
    reason: str | None = None
    graph_id: str | None = Field(None, description="For usage: the agent of the run.")
    graph_exec_id: str | None = Field(None, description="For usage: the run.")
    node_exec_id: str | None = Field(None, description="For usage: the node execution.")
    block_id: str | None = Field(None, description="For usage: the block that ran.")


class CreditTransactionAdmin(CreditTransactionPublic):
    admin_id: str | None = Field(None, description="The administrator who added it.")


class CreditTransactionPage(BaseModel):
    transactions: list[CreditTransactionPublic]
    total: int = Field(description="How many transactions match, over every page.")


class CreditTransactionAdminPage(BaseModel):
    transactions: list[CreditTransactionAdmin]
    total: int


Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class CreditAdjustment(BaseModel):
    """An administrator's top-up, grant or refund."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal[CreditKind.TOP_UP, CreditKind.GRANT, CreditKind.REFUND]
    amount: int = Field(
        ge=-MAX_AMOUNT,
        le=MAX_AMOUNT,
        description="Credits to add; a GRANT may be negative (a correction), never below "
        "what the user's running nodes have reserved.",
    )
    reason: Reason = Field(description="Why, as the user will read it in their transactions.")

    @model_validator(mode="after")
    def _signed(self) -> Self:
        if self.amount == 0:
            raise ValueError("amount must not be 0")
        if self.amount < 0 and self.kind != CreditKind.GRANT:
            raise ValueError("only a GRANT may be negative (a correction)")
        return self
