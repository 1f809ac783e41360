"""A small IMAP4rev1 server (RFC 3501 subset) on 127.0.0.1 for tests, in a thread.

It speaks enough for a real client (Python's ``imaplib``) to log in, select a mailbox,
search by UID (ALL, UNSEEN, SEEN, SINCE), fetch messages as literals and store flags:
tagged responses, untagged data, ``{n}`` literals, UIDs distinct from sequence numbers.
Messages live in memory; SMTP tests deliver into it.
"""

import re
import shlex
import socketserver
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType


@dataclass
class StoredMessage:
    uid: int
    data: bytes
    flags: set[str] = field(default_factory=set)
    received: date = field(default_factory=date.today)


@dataclass
class Mailbox:
    user: str
    password: str
    messages: list[StoredMessage] = field(default_factory=list)
    _next_uid: int = 101
    lock: threading.Lock = field(default_factory=threading.Lock)

    def deliver(self, data: bytes, *, seen: bool = False, received: date | None = None) -> int:
        with self.lock:
            uid, self._next_uid = self._next_uid, self._next_uid + 7
            flags = {"\\Seen"} if seen else set()
            self.messages.append(StoredMessage(uid, data, flags, received or date.today()))
            return uid


class _Session(socketserver.StreamRequestHandler):
    server: "_Server"

    def send(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self) -> None:
        self.selected = False
        self.authenticated = False
        self.send("* OK [CAPABILITY IMAP4rev1] Blockyard test IMAP ready")
        while line := self.rfile.readline():
            tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
            command, _, args = rest.partition(" ")
            if not self.dispatch(tag, command.upper(), args):
                return

    def dispatch(self, tag: str, command: str, args: str) -> bool:
        if command == "LOGOUT":
            self.send("* BYE logging out")
            self.send(f"{tag} OK LOGOUT completed")
            return False
        if command == "CAPABILITY":
            self.send("* CAPABILITY IMAP4rev1")
        elif command == "NOOP":
            pass
        elif command == "LOGIN":
            user, password = shlex.split(args)
            box = self.server.mailbox
            if (user, password) != (box.user, box.password):
                self.send(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials")
                return True
            self.authenticated = True
        elif command in ("SELECT", "EXAMINE") and self.authenticated:
            self.select(tag, command, shlex.split(args)[0])
            return True
        elif command == "UID" and self.selected:
            self.uid_command(tag, args)
            return True
        else:
            self.send(f"{tag} BAD {command} not understood here")
            return True
        self.send(f"{tag} OK {command} completed")
        return True

    def select(self, tag: str, command: str, name: str) -> None:
        if name.upper() != "INBOX":
            self.send(f"{tag} NO [NONEXISTENT] No such mailbox")
            return
        self.selected, self.readonly = True, command == "EXAMINE"
        self.send(f"* {len(self.server.mailbox.messages)} EXISTS")
        self.send("* 0 RECENT")
        self.send("* OK [UIDVALIDITY 3857529045] UIDs valid")
        self.send("* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)")
        mode = "READ-ONLY" if self.readonly else "READ-WRITE"
        self.send(f"{tag} OK [{mode}] {command} completed")

    def uid_command(self, tag: str, args: str) -> None:
        sub, _, rest = args.partition(" ")
        handler = {"SEARCH": self.search, "FETCH": self.fetch, "STORE": self.store}.get(sub.upper())
        if handler is None:
            self.send(f"{tag} BAD UID {sub} not supported")
            return
        handler(rest)
        self.send(f"{tag} OK UID {sub.upper()} completed")

    def search(self, criteria: str) -> None:
        words = criteria.upper().split()
        hits = []
        for msg in self.server.mailbox.messages:
            if "UNSEEN" in words and "\\Seen" in msg.flags:
                continue
            if "SEEN" in words and "\\Seen" not in msg.flags:
                continue
            if "SINCE" in words:
                day = datetime.strptime(words[words.index("SINCE") + 1], "%d-%b-%Y").date()
                if msg.received < day:
                    continue
            hits.append(str(msg.uid))
        self.send("* SEARCH" + "".join(f" {uid}" for uid in hits))

    def _matching(self, uid_set: str) -> list[tuple[int, StoredMessage]]:
        wanted = {int(u) for u in uid_set.split(",")}
        return [
            (seq, msg)
            for seq, msg in enumerate(self.server.mailbox.messages, start=1)
            if msg.uid in wanted
        ]

    def fetch(self, args: str) -> None:
        uid_set, _, items = args.partition(" ")
        for seq, msg in self._matching(uid_set):
            if "BODY[]" in items.upper() and not self.readonly and ".PEEK" not in items.upper():
                msg.flags.add("\\Seen")
            self.wfile.write(
                f"* {seq} FETCH (UID {msg.uid} BODY[] {{{len(msg.data)}}}\r\n".encode()
            )
            self.wfile.write(msg.data)
            self.send(")")

    def store(self, args: str) -> None:
        match = re.fullmatch(r"(\S+) ([+-]?)FLAGS(?:\.SILENT)? \((.*)\)", args, re.IGNORECASE)
        if match is None or self.readonly:
            return
        uid_set, sign, flags = match.groups()
        for seq, msg in self._matching(uid_set):
            if sign == "+":
                msg.flags.update(flags.split())
            elif sign == "-":
                msg.flags.difference_update(flags.split())
            else:
                msg.flags = set(flags.split())
            self.send(f"* {seq} FETCH (UID {msg.uid} FLAGS ({' '.join(sorted(msg.flags))}))")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    mailbox: Mailbox


class LocalImapServer:
    def __init__(self, user: str = "ada@example.test", password: str = 'pa ss"word') -> None:
        self.mailbox = Mailbox(user, password)
        self._server = _Server(("127.0.0.1", 0), _Session)
        self._server.mailbox = self.mailbox
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def __enter__(self) -> "LocalImapServer":
        self._thread.start()
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
