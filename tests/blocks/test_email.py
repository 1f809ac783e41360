"""E-mail blocks against real local servers: aiosmtpd for SMTP, a small IMAP4rev1 server."""

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from email import message_from_bytes
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from blockyard.blocks.email import ReadEmailBlock, SendEmailBlock
from blockyard.blocks.testing import TEST_USER_ID, make_context, run_block
from blockyard.store.media import DiskMediaStore
from tests.fakes.imap_server import LocalImapServer

USER, PASSWORD = "ada@example.test", 'pa ss"word'
CREDS = {"credentials": {"username": USER, "password": PASSWORD}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A certificate for 'localhost' (and 127.0.0.1) and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class Delivery:
    """aiosmtpd handler: accepted messages go into the IMAP server's mailbox."""

    def __init__(self, imap: LocalImapServer) -> None:
        self.imap = imap
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        content = envelope.original_content or b""
        self.imap.mailbox.deliver(content)
        return "250 Message accepted for delivery"


def authenticator(
    server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def imap(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalImapServer]:
    monkeypatch.setenv("BLOCKYARD_OUTBOUND_ALLOW", "127.0.0.1,localhost")
    with LocalImapServer(USER, PASSWORD) as server:
        yield server


def smtp_server(
    imap: LocalImapServer, tls: ssl.SSLContext | None = None
) -> tuple[Controller, Delivery]:
    handler = Delivery(imap)
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        auth_require_tls=tls is not None,
        require_starttls=tls is not None,
        tls_context=tls,
    )
    controller.start()
    return controller, handler


@pytest.fixture
def smtp(imap: LocalImapServer) -> Iterator[tuple[Controller, Delivery]]:
    controller, handler = smtp_server(imap)
    yield controller, handler
    controller.stop()


def send_inputs(port: int, **extra: Any) -> dict[str, Any]:
    return {
        "to_email": "grace@example.test, alan@example.test",
        "subject": "Weekly report",
        "body": "Numbers are up.",
        "config": {"smtp_server": "127.0.0.1", "smtp_port": port, "security": "none"},
        "credentials": {"id": "c1", "provider": "smtp", "type": "user_password"},
        **extra,
    }


def read_inputs(port: int, **extra: Any) -> dict[str, Any]:
    return {
        "config": {"imap_server": "127.0.0.1", "imap_port": port, "security": "none"},
        "credentials": {"id": "c2", "provider": "imap", "type": "user_password"},
        **extra,
    }


async def test_send_then_read_back_with_attachment(
    smtp: tuple[Controller, Delivery], imap: LocalImapServer, tmp_path: Path
) -> None:
    controller, handler = smtp
    media = DiskMediaStore(tmp_path / "media")
    ref = await media.put(TEST_USER_ID, "report.csv", b"week,sales\n1,10\n")
    ctx = make_context(credentials=CREDS, media=media)
    inputs = send_inputs(
        controller.port, html_body="<p>Numbers are <b>up</b>.</p>", attachments=[ref]
    )
    assert await run_block(SendEmailBlock(), inputs, ctx) == {"status": ["Email sent successfully"]}
    (envelope,) = handler.envelopes
    assert envelope.mail_from == USER
    assert envelope.rcpt_tos == ["grace@example.test", "alan@example.test"]

    out = await run_block(ReadEmailBlock(), read_inputs(imap.port), ctx)
    (mail,) = out["email"]
    assert out["emails"] == [[mail]]
    assert mail["date"] and mail["message_id"].endswith("@example.test>")
    assert (mail["from"], mail["subject"]) == (USER, "Weekly report")
    assert mail["body"].strip() == "Numbers are up."
    assert "<b>up</b>" in mail["html"]
    (attachment,) = mail["attachments"]
    assert (attachment["name"], attachment["content_type"], attachment["size"]) == (
        "report.csv",
        "text/csv",
        16,
    )
    assert await media.get(TEST_USER_ID, attachment["file"]) == b"week,sales\n1,10\n"


async def test_starttls_with_certificate_check(
    imap: LocalImapServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = self_signed(tmp_path)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    controller, handler = smtp_server(imap, tls)
    try:
        inputs = send_inputs(controller.port)
        inputs["config"].update(smtp_server="localhost", security="starttls")
        untrusted = await run_block(SendEmailBlock(), inputs, make_context(credentials=CREDS))
        assert untrusted["error"][0].startswith("Secure connection failed"), untrusted
        assert "CERTIFICATE_VERIFY_FAILED" in untrusted["error"][0]
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        out = await run_block(SendEmailBlock(), inputs, make_context(credentials=CREDS))
        assert out == {"status": ["Email sent successfully"]}
        assert len(handler.envelopes) == 1
    finally:
        controller.stop()


async def test_wrong_smtp_password(smtp: tuple[Controller, Delivery]) -> None:
    ctx = make_context(credentials={"credentials": {"username": USER, "password": "nope"}})
    out = await run_block(SendEmailBlock(), send_inputs(smtp[0].port), ctx)
    assert out["error"][0].startswith("The SMTP server refused the user name or password")


async def test_mail_servers_pass_the_ssrf_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BLOCKYARD_OUTBOUND_ALLOW", raising=False)
    inputs = send_inputs(25)
    inputs["config"]["smtp_server"] = "10.0.0.5"
    out = await run_block(SendEmailBlock(), inputs, make_context(credentials=CREDS))
    assert out["error"][0].startswith("Refused to connect to 10.0.0.5: it is a private address")
    read = read_inputs(993)
    read["config"]["imap_server"] = "169.254.169.254"
    out = await run_block(ReadEmailBlock(), read, make_context(credentials=CREDS))
    assert "cloud metadata address" in out["error"][0]


async def test_header_injection_in_recipients_is_refused() -> None:
    inputs = send_inputs(25, to_email="a@example.test\r\nBcc: all@example.test")
    out = await run_block(SendEmailBlock(), inputs, make_context(credentials=CREDS))
    assert out["error"][0].startswith("Invalid recipient address")


def message(subject: str) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "grace@example.test", USER, subject
    msg.set_content(f"About {subject}")
    return msg.as_bytes()


async def test_unread_limit_and_mark_as_read(imap: LocalImapServer) -> None:
    box = imap.mailbox
    box.deliver(message("old, already read"), seen=True)
    for n in range(3):
        box.deliver(message(f"new {n}"))
    ctx = make_context(credentials=CREDS)
    out = await run_block(ReadEmailBlock(), read_inputs(imap.port, limit=2), ctx)
    assert [m["subject"] for m in out["email"]] == ["new 1", "new 2"]
    assert all("\\Seen" not in m.flags for m in box.messages[1:])
    await run_block(ReadEmailBlock(), read_inputs(imap.port, mark_as_read=True), ctx)
    assert all("\\Seen" in m.flags for m in box.messages)
    everything = await run_block(ReadEmailBlock(), read_inputs(imap.port, unread_only=False), ctx)
    assert len(everything["email"]) == 4
    assert (await run_block(ReadEmailBlock(), read_inputs(imap.port), ctx)) == {"emails": [[]]}


async def test_since_filter(imap: LocalImapServer) -> None:
    imap.mailbox.deliver(message("last year"), received=dt.date(2024, 3, 1))
    imap.mailbox.deliver(message("this week"))
    since = (dt.date.today() - dt.timedelta(days=7)).isoformat()
    out = await run_block(
        ReadEmailBlock(), read_inputs(imap.port, since=since), make_context(credentials=CREDS)
    )
    assert [m["subject"] for m in out["email"]] == ["this week"]


async def test_imap_errors_are_clear(imap: LocalImapServer) -> None:
    bad = make_context(credentials={"credentials": {"username": USER, "password": "x"}})
    out = await run_block(ReadEmailBlock(), read_inputs(imap.port), bad)
    assert out == {"error": ["The IMAP server said: [AUTHENTICATIONFAILED] Invalid credentials"]}
    ctx = make_context(credentials=CREDS)
    out = await run_block(ReadEmailBlock(), read_inputs(imap.port, folder="Archive"), ctx)
    assert out == {"error": ["The IMAP server said: [NONEXISTENT] No such mailbox"]}
    out = await run_block(ReadEmailBlock(), read_inputs(imap.port))
    assert out == {"error": ["The credentials for this mail server could not be found"]}


def test_sent_message_is_well_formed() -> None:
    parsed = message_from_bytes(message("x"))
    assert parsed["Subject"] == "x"
