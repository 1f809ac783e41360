"""The vault: sealed at rest, metadata only out, opened only for the owner; key rotation."""

import base64
from pathlib import Path

import pytest
from sqlalchemy import text

from blockyard.blocks.credentials import (
    APIKeyCredentials,
    HostScopedCredentials,
    UserPasswordCredentials,
)
from blockyard.errors import BlockExecutionError, BlockInputError, ConfigError, NotFoundError
from blockyard.integrations import keys
from blockyard.integrations.crypto import (
    KeyRing,
    SecretUnreadableError,
    key_id,
    parse_key,
    read_retired,
)
from blockyard.integrations.drafts import APIKeyDraft, HostScopedDraft, UserPasswordDraft
from blockyard.store.credentials import CredentialRepo
from blockyard.store.db import Database
from blockyard.store.leases import LeaseRepo
from tests.integrations.conftest import KEY, make_vault

SECRET = "sk-live-0123456789abcdef"


def api_key(title: str = "", value: str = SECRET, **extra: object) -> APIKeyDraft:
    return APIKeyDraft.model_validate(
        {"type": "api_key", "title": title, "api_key": value, **extra}
    )


async def raw_rows(db: Database) -> str:
    async with db.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT * FROM credentials"))).all()
    return repr(rows)


async def test_secrets_are_sealed_at_rest_and_never_in_metadata(
    db: Database, users: tuple[str, str]
) -> None:
    ada, _ = users
    vault = make_vault(db)
    password = UserPasswordDraft.model_validate(
        {"type": "user_password", "username": "ada", "password": "pa55-w0rd-xyz"}
    )
    headers = HostScopedDraft.model_validate(
        {"type": "host_scoped", "host": "api.example.com", "headers": {"X-Token": "tok-98765"}}
    )
    metas = [
        await vault.create(ada, "openai", api_key("mine")),
        await vault.create(ada, "smtp", password),
        await vault.create(ada, "http", headers),
    ]
    stored = await raw_rows(db)
    shown = repr(metas) + repr(await vault.list(ada))
    for secret in (SECRET, "pa55-w0rd-xyz", "tok-98765"):
        assert secret not in stored
        assert secret not in shown
    assert metas[1].username == "ada"
    assert (metas[2].host, metas[2].header_names) == ("api.example.com", ("X-Token",))
    assert "SecretStr('**********')" in repr(password)


async def test_resolve_opens_the_owners_credentials_only(
    db: Database, users: tuple[str, str]
) -> None:
    ada, bob = users
    vault = make_vault(db)
    meta = await vault.create(ada, "openai", api_key())
    creds = await vault.resolve(ada, {"id": meta.id, "provider": "openai", "type": "api_key"})
    assert isinstance(creds, APIKeyCredentials)
    assert creds.api_key.get_secret_value() == SECRET
    with pytest.raises(NotFoundError):
        await vault.resolve(bob, {"id": meta.id})
    with pytest.raises(NotFoundError):
        await vault.get_meta(bob, meta.id)
    with pytest.raises(NotFoundError):
        await vault.delete(bob, meta.id)
    assert await vault.list(bob) == []
    with pytest.raises(BlockInputError):
        await vault.resolve(ada, {"id": meta.id, "provider": "anthropic"})


async def test_each_type_resolves_to_the_block_credential_type(
    db: Database, users: tuple[str, str]
) -> None:
    ada, _ = users
    vault = make_vault(db)
    pw = await vault.create(
        ada,
        "imap",
        UserPasswordDraft.model_validate(
            {"type": "user_password", "username": "ada", "password": "secret-pw"}
        ),
    )
    hs = await vault.create(
        ada,
        "http",
        HostScopedDraft.model_validate(
            {"type": "host_scoped", "host": "*.example.com", "headers": {"Authorization": "B x"}}
        ),
    )
    user_pw = await vault.resolve(ada, {"id": pw.id})
    assert isinstance(user_pw, UserPasswordCredentials)
    assert (user_pw.username, user_pw.password.get_secret_value()) == ("ada", "secret-pw")
    scoped = await vault.resolve(ada, {"id": hs.id})
    assert isinstance(scoped, HostScopedCredentials)
    assert scoped.plain_headers() == {"Authorization": "B x"} and scoped.host == "*.example.com"


async def test_expired_api_key_is_refused_and_checked_broken(
    db: Database, users: tuple[str, str]
) -> None:
    ada, _ = users
    vault = make_vault(db)
    meta = await vault.create(ada, "openai", api_key(expires_at=1000.0))
    with pytest.raises(BlockExecutionError, match="expired"):
        await vault.resolve(ada, {"id": meta.id})
    assert (await vault.check(ada, meta.id)).status == "broken"


async def test_a_ciphertext_moved_to_another_row_does_not_open(
    db: Database, users: tuple[str, str]
) -> None:
    ada, bob = users
    vault = make_vault(db)
    mine = await vault.create(ada, "openai", api_key())
    theirs = await vault.create(bob, "openai", api_key(value="other"))
    async with db.engine.begin() as conn:
        row = (
            await conn.execute(
                text("SELECT nonce, secret FROM credentials WHERE id = :id"), {"id": mine.id}
            )
        ).one()
        await conn.execute(
            text("UPDATE credentials SET nonce = :n, secret = :s WHERE id = :id"),
            {"n": row[0], "s": row[1], "id": theirs.id},
        )
    with pytest.raises(SecretUnreadableError):
        await vault.resolve(bob, {"id": theirs.id})


def test_keys_must_be_256_bits_of_base64() -> None:
    assert len(parse_key(KEY)) == 32
    with pytest.raises(ConfigError, match="32 bytes"):
        parse_key(base64.b64encode(b"k" * 16).decode())
    with pytest.raises(ConfigError):
        parse_key("not base64 at all!")
    ring = KeyRing(parse_key(KEY))
    sealed = ring.seal(b"x", b"aad")
    assert ring.open(sealed, b"aad") == b"x"
    with pytest.raises(SecretUnreadableError):
        ring.open(sealed, b"other aad")
    assert KEY not in repr(sealed) and sealed.key_id == key_id(parse_key(KEY))


async def test_rotation_reseals_every_row_and_keeps_them_readable(
    db: Database, users: tuple[str, str], tmp_path: Path
) -> None:
    ada, bob = users
    vault = make_vault(db)
    made = [await vault.create(uid, "openai", api_key(value=f"k-{uid}")) for uid in (ada, bob)]
    key_file = tmp_path / "encryption_key"
    key_file.write_text(KEY + "\n")
    repo = CredentialRepo(db)
    report = await keys.rotate(repo, LeaseRepo(db), tmp_path, KEY, key_file=key_file)
    assert report.resealed == 2 and report.key_text is None
    new_key = parse_key(key_file.read_text())
    assert report.rows_by_key == {key_id(new_key): 2}
    assert read_retired(tmp_path) == [parse_key(KEY)]
    rotated = make_vault(db)
    rotated.keys = KeyRing(new_key)
    for meta, uid in zip(made, (ada, bob), strict=True):
        creds = await rotated.resolve(uid, {"id": meta.id})
        assert isinstance(creds, APIKeyCredentials)
        assert creds.api_key.get_secret_value() == f"k-{uid}"
    again = await keys.rotate(
        repo, LeaseRepo(db), tmp_path, key_file.read_text(), key_file=key_file, drop_retired=True
    )
    assert again.resealed == 2
    assert len(again.retired_dropped) == 2 and read_retired(tmp_path) == []


async def test_rotation_with_the_key_in_the_environment_prints_the_new_key(
    db: Database, users: tuple[str, str], tmp_path: Path
) -> None:
    ada, _ = users
    await make_vault(db).create(ada, "openai", api_key())
    report = await keys.rotate(CredentialRepo(db), LeaseRepo(db), tmp_path, KEY, key_file=None)
    assert report.key_text is not None and key_id(parse_key(report.key_text)) == report.key_id
    assert report.resealed == 1


async def test_a_server_with_a_key_of_the_wrong_size_does_not_start(
    db: Database, tmp_path: Path
) -> None:
    from blockyard.wiring import build_integrations, ensure_secrets
    from tests.api.helpers import make_settings

    short = make_settings(tmp_path, encryption_key=base64.b64encode(b"sixteen byte key").decode())
    with pytest.raises(ConfigError, match="32 bytes"):
        build_integrations(short, ensure_secrets(short), db)
    fresh = make_settings(tmp_path / "fresh")
    fresh.data_dir.mkdir()
    built = build_integrations(fresh, ensure_secrets(fresh), db)
    key_text = (tmp_path / "fresh" / "encryption_key").read_text()
    assert built.vault.keys.current_id == key_id(parse_key(key_text))
    await built.limiter.close()
