"""E-mail blocks: send through SMTP, read through IMAP, with the user's saved credentials.

Mail servers are outbound destinations like any other: the host is resolved and checked by
the SSRF guard (:class:`blockyard.blocks.net.OutboundPolicy`) and the connection goes to
the checked address, while TLS still verifies the certificate for the host name. The
credentials input (``user_password``) is resolved by the engine into
``ctx.credentials["credentials"]`` (an object or mapping with ``username`` and
``password``, plain or secret strings).
"""

import asyncio
import contextlib
import email
import email.policy
import email.utils
import imaplib
import socket
import ssl
from collections.abc import Mapping
from datetime import date
from email.message import EmailMessage
from typing import Any, Literal

import aiosmtplib

from blockyard.blocks.base import (
    ERROR_PIN,
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchema,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from blockyard.blocks.context import BlockContext
from blockyard.blocks.files import file_error, load_file, save_file
from blockyard.blocks.net import current_policy
from blockyard.errors import BlockInputError, BlockyardError

Security = Literal["starttls", "ssl", "none"]
MAX_MESSAGES = 200


def _credentials_field(provider: str) -> Any:
    return SchemaField(
        description=f"Your {provider.upper()} user name and password.",
        json_schema_extra={
            "credentials_provider": [provider],
            "credentials_types": ["user_password"],
        },
    )


def user_password(ctx: BlockContext) -> tuple[str, str]:
    """The resolved ``credentials`` input as (username, password)."""
    cred = ctx.credentials.get("credentials")

    def part(name: str) -> str:
        value = cred.get(name) if isinstance(cred, Mapping) else getattr(cred, name, None)
        reveal = getattr(value, "get_secret_value", None)
        return str(reveal() if callable(reveal) else value or "")

    if cred is None:
        raise BlockInputError("The credentials for this mail server could not be found")
    return part("username"), part("password")


async def checked_address(host: str, port: int) -> str:
    """The first address of ``host`` that the SSRF guard allows (it refuses otherwise)."""
    return (await current_policy().resolve_checked(host, port))[0]


class SMTPConfig(BlockSchema):
    smtp_server: str = SchemaField(default="smtp.example.com", description="SMTP server name.")
    smtp_port: int = SchemaField(default=25, ge=1, le=65535, description="SMTP port.")
    security: Security = SchemaField(
        default="starttls",
        description="starttls (upgrade, usually port 587 or 25), ssl (port 465) or none.",
    )


class SendEmailBlock(Block):
    id = "4335878a-394e-4e67-adf2-919877ff49ae"
    description = (
        "Sends an e-mail through your SMTP server (Gmail, Outlook, your company's relay...), "
        "as plain text and optionally HTML, with attachments."
    )
    categories = frozenset({BlockCategory.OUTPUT, BlockCategory.COMMUNICATION})

    class Input(BlockSchemaInput):
        to_email: str = SchemaField(
            description="Recipient address(es), comma-separated.", placeholder="ada@example.com"
        )
        subject: str = SchemaField(description="The subject line.")
        body: str = SchemaField(description="The message, as plain text.")
        html_body: str = SchemaField(default="", description="The message as HTML (optional).")
        attachments: list[str] = SchemaField(
            default_factory=list, description="Files to attach (media:// references or URLs)."
        )
        config: SMTPConfig = SchemaField(
            default_factory=SMTPConfig, description="Which SMTP server to use."
        )
        credentials: dict[str, Any] = _credentials_field("smtp")

    class Output(BlockSchemaOutput):
        status: str = SchemaField(description="'Email sent successfully' when it was accepted.")

    test_input = [
        {"to_email": "not an address", "subject": "Hi", "body": "Hello", "credentials": {}}
    ]
    test_output = [("error", "Invalid recipient address: 'not an address'")]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            message = await self.compose(input_data, ctx)
            await self.send(input_data.config, message, ctx)
        except Exception as exc:
            yield ERROR_PIN, _mail_error(exc)
            return
        yield "status", "Email sent successfully"

    async def compose(self, data: Input, ctx: BlockContext) -> EmailMessage:
        recipients = [r.strip() for r in data.to_email.split(",") if r.strip()]
        bad = [r for r in recipients if "@" not in r or any(c in r for c in " <>\r\n")]
        if bad or not recipients:
            raise BlockInputError(f"Invalid recipient address: {(bad or [data.to_email])[0]!r}")
        message = EmailMessage()
        message["To"] = ", ".join(recipients)
        message["Subject"] = data.subject.replace("\r", " ").replace("\n", " ")
        message.set_content(data.body)
        if data.html_body:
            message.add_alternative(data.html_body, subtype="html")
        for ref in data.attachments:
            loaded = await load_file(ctx, ref)
            maintype, _, subtype = loaded.mime.partition("/")
            message.add_attachment(
                loaded.data, maintype=maintype, subtype=subtype or "octet-stream",
                filename=loaded.name,
            )  # fmt: skip
        return message

    @staticmethod
    async def send(config: SMTPConfig, message: EmailMessage, ctx: BlockContext) -> None:
        username, password = user_password(ctx)
        message["From"] = username
        message["Date"] = email.utils.formatdate(localtime=False)
        message["Message-ID"] = email.utils.make_msgid(domain=username.rpartition("@")[2] or None)
        address = await checked_address(config.smtp_server, config.smtp_port)
        sock = await asyncio.to_thread(socket.create_connection, (address, config.smtp_port), 30)
        sock.setblocking(False)
        client = aiosmtplib.SMTP(
            hostname=config.smtp_server,
            sock=sock,
            use_tls=config.security == "ssl",
            start_tls=config.security == "starttls",
            timeout=30,
        )
        async with client:
            if username or password:
                await client.login(username, password)
            await client.send_message(message)


def _mail_error(exc: Exception) -> str:
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return f"The SMTP server refused the user name or password: {exc.message}"
    if isinstance(exc, aiosmtplib.SMTPException):
        return f"Sending failed: {exc}"
    if isinstance(exc, imaplib.IMAP4.error):
        said = exc.args[0] if exc.args else ""
        text = said.decode(errors="replace") if isinstance(said, bytes) else str(said)
        return f"The IMAP server said: {text}"
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return f"Secure connection failed: {exc}"
    if isinstance(exc, OSError) and not isinstance(exc, BlockyardError):
        return f"Could not reach the mail server: {exc}"
    return file_error(exc)


class IMAPConfig(BlockSchema):
    imap_server: str = SchemaField(default="imap.example.com", description="IMAP server name.")
    imap_port: int = SchemaField(default=993, ge=1, le=65535, description="IMAP port.")
    security: Security = SchemaField(
        default="ssl", description="ssl (port 993), starttls (port 143) or none."
    )


class ReadEmailBlock(Block):
    id = "8c2b6f1e-5a3d-4c7e-9b1f-0e2d4a6c8b3f"
    description = (
        "Reads e-mails from a mailbox over IMAP (by default the unread ones in the inbox): "
        "sender, subject, date, text and attachments, one at a time and as a list."
    )
    categories = frozenset({BlockCategory.INPUT, BlockCategory.COMMUNICATION})

    class Input(BlockSchemaInput):
        config: IMAPConfig = SchemaField(
            default_factory=IMAPConfig, description="Which IMAP server to use."
        )
        credentials: dict[str, Any] = _credentials_field("imap")
        folder: str = SchemaField(default="INBOX", description="The mailbox folder to read.")
        unread_only: bool = SchemaField(default=True, description="Only unread messages.")
        since: date | None = SchemaField(default=None, description="Only messages from this day.")
        limit: int = SchemaField(
            default=10, ge=1, le=MAX_MESSAGES, description="Most messages to read (newest)."
        )
        mark_as_read: bool = SchemaField(default=False, description="Mark what was read as read.")

    class Output(BlockSchemaOutput):
        email: dict[str, Any] = SchemaField(
            description="One message: uid, from, to, subject, date, body, html, attachments."
        )
        emails: list[dict[str, Any]] = SchemaField(description="Every message read.")

    test_input = [{"credentials": {}, "folder": 'INBOX" (x'}]
    test_output = [("error", "Invalid folder name: 'INBOX\" (x'")]

    async def run(self, input_data: Input, ctx: BlockContext) -> BlockOutput:
        try:
            if any(c in input_data.folder for c in '"\r\n\\'):
                raise BlockInputError(f"Invalid folder name: {input_data.folder!r}")
            login = user_password(ctx)
            cfg = input_data.config
            address = await checked_address(cfg.imap_server, cfg.imap_port)
            raw = await ctx.run_blocking(fetch_messages, address, input_data, login)
            messages = [await _describe(uid, data, ctx) for uid, data in raw]
        except Exception as exc:
            yield ERROR_PIN, _mail_error(exc)
            return
        for message in messages:
            yield "email", message
        yield "emails", messages


class _CheckedIMAP4(imaplib.IMAP4):
    """imaplib's client, connecting to an address the guard checked, not a new lookup."""

    def __init__(self, address: str, host: str, port: int, context: ssl.SSLContext | None):
        self._address, self._context = address, context
        super().__init__(host, port, timeout=30)

    def _create_socket(self, timeout: float | None) -> socket.socket:
        sock = socket.create_connection((self._address, self.port), timeout)
        if self._context is None:
            return sock
        return self._context.wrap_socket(sock, server_hostname=self.host)


def fetch_messages(
    address: str, data: ReadEmailBlock.Input, login: tuple[str, str]
) -> list[tuple[str, bytes]]:
    """Blocking IMAP session: (uid, raw message) of the newest matching messages."""
    cfg = data.config
    context = ssl.create_default_context()
    client = _CheckedIMAP4(
        address, cfg.imap_server, cfg.imap_port, context if cfg.security == "ssl" else None
    )
    try:
        if cfg.security == "starttls":
            client.starttls(context)
        client.login(*login)
        _ok(client.select(f'"{data.folder}"', readonly=not data.mark_as_read))
        criteria = ["UNSEEN" if data.unread_only else "ALL"]
        if data.since is not None:
            criteria += ["SINCE", data.since.strftime("%d-%b-%Y")]
        found = _ok(client.uid("SEARCH", *criteria))
        uids = found[0].split()[-data.limit :] if found and found[0] else []
        messages = [(uid.decode(), _fetch_one(client, uid)) for uid in uids]
        if data.mark_as_read and uids:
            _ok(client.uid("STORE", b",".join(uids).decode(), "+FLAGS", "(\\Seen)"))
        return messages
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()


def _ok(reply: tuple[str, list[Any]]) -> list[Any]:
    status, data = reply
    if status != "OK":
        raise imaplib.IMAP4.error(b" ".join(d for d in data if isinstance(d, bytes)).decode())
    return data


def _fetch_one(client: imaplib.IMAP4, uid: bytes) -> bytes:
    parts = _ok(client.uid("FETCH", uid.decode(), "(BODY.PEEK[])"))
    for part in parts:
        if isinstance(part, tuple) and len(part) == 2:
            return bytes(part[1])
    raise imaplib.IMAP4.error(f"The server sent no body for message {uid.decode()}")


async def _describe(uid: str, raw: bytes, ctx: BlockContext) -> dict[str, Any]:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    attachments = []
    for part in msg.iter_attachments():
        decoded = part.get_payload(decode=True)
        payload = decoded if isinstance(decoded, bytes) else b""
        name = part.get_filename() or "attachment"
        ref = await save_file(ctx, name, payload) if ctx.media is not None else None
        attachments.append(
            {
                "name": name,
                "content_type": part.get_content_type(),
                "size": len(payload),
                "file": ref,
            }
        )
    return {
        "uid": uid,
        "message_id": str(msg.get("Message-ID", "")),
        "from": str(msg.get("From", "")),
        "to": str(msg.get("To", "")),
        "subject": str(msg.get("Subject", "")),
        "date": str(msg.get("Date", "")),
        "body": plain.get_content() if isinstance(plain, EmailMessage) else "",
        "html": html.get_content() if isinstance(html, EmailMessage) else "",
        "attachments": attachments,
    }
