"""Outgoing mail: SMTP (aiosmtplib, on the event loop without blocking it) when SMTP_HOST is set,
else each message is written to the outbox folder (var/mail/) and its links are logged, for
development. Messages are sent after the request has answered, in a bounded set of background
tasks: neither a slow mail server nor the presence of a mail may show in a request's timing."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from auction.config import Settings

log = logging.getLogger("auction.mail")
MAX_PENDING = 100  # beyond this a message is dropped and logged: never an unbounded backlog
SEND_TIMEOUT = 30.0


def message(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=settings.mail_from.rsplit("@", 1)[-1] or "localhost")
    msg.set_content(body)
    return msg


class Mailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._tasks: set[asyncio.Task[None]] = set()

    async def send(self, msg: EmailMessage) -> None:
        s = self.settings
        if s.smtp_host:
            import aiosmtplib

            await aiosmtplib.send(
                msg, hostname=s.smtp_host, port=s.smtp_port, username=s.smtp_user or None,
                password=s.smtp_password or None, use_tls=s.smtp_tls == "tls",
                start_tls=True if s.smtp_tls == "starttls" else False, timeout=SEND_TIMEOUT,
            )  # fmt: skip
            return
        await asyncio.to_thread(self._write_outbox, msg)

    def _write_outbox(self, msg: EmailMessage) -> None:
        folder = Path(self.settings.mail_outbox)
        folder.mkdir(parents=True, exist_ok=True)
        path = (
            folder
            / f"{formatdate(usegmt=True)[5:25].replace(' ', '-').replace(':', '')}-{secrets.token_hex(4)}.eml"
        )
        path.write_bytes(msg.as_bytes())
        links = dict.fromkeys(re.findall(r"https?://\S+", msg.get_content()))
        log.warning("no SMTP_HOST: mail to %s written to %s %s", msg["To"], path, " ".join(links))

    def send_later(self, msg: EmailMessage) -> None:
        if len(self._tasks) >= MAX_PENDING:
            log.error("mail backlog full (%d): message to %s dropped", MAX_PENDING, msg["To"])
            return
        task = asyncio.get_running_loop().create_task(self._send_logged(msg))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_logged(self, msg: EmailMessage) -> None:
        try:
            await self.send(msg)
        except Exception:
            log.exception("mail to %s failed", msg["To"])

    async def drain(self, timeout: float = SEND_TIMEOUT) -> None:
        """Wait for the messages under way (shutdown, tests)."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)
