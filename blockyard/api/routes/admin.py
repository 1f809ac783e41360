"""Administration: routes for administrators only (the ``Admin`` dependency, 403 for
everyone else). Later admin features (store reviews, credits) add their routes here."""

from fastapi import APIRouter
from pydantic import BaseModel

from blockyard.api.deps import Admin, ContainerDep

router = APIRouter(prefix="/api/admin", tags=["admin"])


class EncryptionStatus(BaseModel):
    current_key_id: str
    known_key_ids: list[str]
    credentials_by_key: dict[str, int]


@router.get("/encryption")
async def encryption(container: ContainerDep, admin: Admin) -> EncryptionStatus:
    """Which key seals new credentials and how many rows each key seals (key ids only)."""
    vault = container.integrations.vault
    return EncryptionStatus(
        current_key_id=vault.keys.current_id,
        known_key_ids=sorted(vault.keys.key_ids),
        credentials_by_key=await vault.repo.count_by_key(),
    )
