"""The `smtp` backend: email through an SMTP server (smtplib), in the clear, over STARTTLS or
over TLS, with or without a login. An SMTP server cannot send text messages: those go to the
console backend."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from userpool.delivery import COGNITO_FROM, Backend, DeliveryError, EmailSettings, is_html
from userpool.domain.messages import Medium, Message

TLS_MODES = ("none", "starttls", "tls")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}
TIMEOUT = 10.0  # seconds, to connect and for each reply


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int | None = None  # None: the usual port of the TLS mode
    tls: str = "starttls"
    username: str | None = None
    password: str | None = None
    from_address: str = COGNITO_FROM  # when the pool's EmailConfiguration names no sender

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port or DEFAULT_PORTS[self.tls]


class SmtpBackend:
    def __init__(self, settings: SmtpSettings, sms: Backend) -> None:
        self._settings = settings
        self._sms = sms
        self._context = ssl.create_default_context()  # system CAs, or SSL_CERT_FILE's

    def rehearse(self, message: Message) -> None:
        """As for delivery, text messages go to the SMS backend; an email to an SMTP server
        cannot be rehearsed without sending it, so nothing is done for one."""
        if message.medium == Medium.SMS:
            self._sms.rehearse(message)

    def deliver(self, message: Message, email: EmailSettings) -> None:
        if message.medium == Medium.SMS:
            self._sms.deliver(message, email)
            return
        settings = self._settings
        host, port = settings.address
        try:
            mail = _email(message, email.sender(settings.from_address), email.reply_to)
            with self._connect(host, port) as smtp:
                if settings.tls == "starttls":
                    smtp.starttls(context=self._context)
                if settings.username:
                    smtp.login(settings.username, settings.password or "")
                smtp.send_message(mail)
        except (OSError, ValueError, smtplib.SMTPException) as error:
            raise DeliveryError(f"SMTP server {host}:{port}: {error}") from error

    def _connect(self, host: str, port: int) -> smtplib.SMTP:
        if self._settings.tls == "tls":
            return smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=self._context)
        return smtplib.SMTP(host, port, timeout=TIMEOUT)


def _email(message: Message, sender: str, reply_to: str | None) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.destination
    mail["Subject"] = message.subject or ""
    if reply_to:
        mail["Reply-To"] = reply_to
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or "localhost")
    mail.set_content(message.body, subtype="html" if is_html(message.body) else "plain")
    return mail
