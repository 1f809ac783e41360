"""The keys that seal credentials: AES-256-GCM, a fresh nonce per row, a key id per row.

The current key comes from ``BLOCKYARD_ENCRYPTION_KEY`` or the ``encryption_key`` file that
``wiring.ensure_secrets`` generates in the data folder (32 random bytes, base64). Keys that
were current before a rotation live on, one per line, in ``encryption_keys.retired``: rows
not yet re-sealed are still readable, and ``blockyard keys rotate --drop-retired`` forgets
a retired key once no row uses it.

Each ciphertext is bound to its row (associated data: id, owner, provider and type), so a
ciphertext copied into another user's row does not open. A key id is a hash of the key,
never the key itself.
"""

import base64
import binascii
import hashlib
import os
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from blockyard.errors import ConfigError
from blockyard.store.credentials import Sealed

KEY_BYTES = 32
NONCE_BYTES = 12
RETIRED_KEYS_FILE = "encryption_keys.retired"


class SecretUnreadableError(ConfigError):
    """A sealed secret cannot be opened: unknown key, or tampered ciphertext."""


def parse_key(text: str) -> bytes:
    """A 32-byte key from base64 (URL-safe or standard); ConfigError otherwise."""
    raw = text.strip()
    try:
        padded = raw + "=" * (-len(raw) % 4)
        key = base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))
    except (binascii.Error, ValueError):
        raise ConfigError("The encryption key is not base64") from None
    if len(key) != KEY_BYTES:
        raise ConfigError(
            f"The encryption key must be {KEY_BYTES} bytes (AES-256), base64 encoded; "
            f"this one is {len(key)} bytes"
        )
    return key


def new_key_text() -> str:
    """A fresh key in the format of the generated key file."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"blockyard-credentials-key:" + key).hexdigest()[:16]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class KeyRing:
    """The current key (seals) and the retired ones (only open)."""

    def __init__(
        self,
        current: bytes,
        retired: Iterable[bytes] = (),
        *,
        reload: Callable[[], "KeyRing"] | None = None,
    ) -> None:
        self.current_id = key_id(current)
        self._keys = {key_id(k): k for k in retired}
        self._keys[self.current_id] = current
        self._reload = reload

    @property
    def key_ids(self) -> frozenset[str]:
        return frozenset(self._keys)

    def seal(self, plaintext: bytes, aad: bytes) -> Sealed:
        nonce = os.urandom(NONCE_BYTES)
        ciphertext = AESGCM(self._keys[self.current_id]).encrypt(nonce, plaintext, aad)
        return Sealed(self.current_id, _b64(nonce), _b64(ciphertext))

    def open(self, sealed: Sealed, aad: bytes) -> bytes:
        key = self._key(sealed.key_id)
        try:
            nonce = base64.b64decode(sealed.nonce, validate=True)
            ciphertext = base64.b64decode(sealed.secret, validate=True)
            return AESGCM(key).decrypt(nonce, ciphertext, aad)
        except (InvalidTag, binascii.Error, ValueError):
            raise SecretUnreadableError(
                "A stored credential failed its integrity check (tampered or wrong key)"
            ) from None

    def _key(self, wanted: str) -> bytes:
        key = self._keys.get(wanted)
        if key is None and self._reload is not None:
            # A rotation in another process may have made a new key current: look again.
            fresh = self._reload()
            self._keys.update(fresh._keys)
            key = self._keys.get(wanted)
        if key is None:
            raise SecretUnreadableError(
                f"A stored credential was sealed with key {wanted}, which this server does "
                "not have (restart it after `blockyard keys rotate`, or restore the key)"
            )
        return key


def read_retired(data_dir: Path) -> list[bytes]:
    path = data_dir / RETIRED_KEYS_FILE
    if not path.exists():
        return []
    return [parse_key(line) for line in path.read_text("ascii").splitlines() if line.strip()]


def write_retired(data_dir: Path, keys: Iterable[bytes]) -> None:
    """Replace the retired-keys file atomically (0600)."""
    lines = "".join(base64.urlsafe_b64encode(k).decode("ascii") + "\n" for k in keys)
    write_secret_file(data_dir / RETIRED_KEYS_FILE, lines)


def write_secret_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename, owner-only."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def keyring_for(current_text: str, data_dir: Path, key_file: Path | None = None) -> KeyRing:
    """The ring of a process: ``current_text`` plus the retired keys in ``data_dir``.

    With ``key_file`` (the key came from the generated file), a key this ring lacks makes it
    read the file again: another process may have rotated meanwhile.
    """

    def load() -> KeyRing:
        text = key_file.read_text("ascii") if key_file is not None else current_text
        return KeyRing(parse_key(text), read_retired(data_dir))

    ring = KeyRing(parse_key(current_text), read_retired(data_dir), reload=load)
    return ring
