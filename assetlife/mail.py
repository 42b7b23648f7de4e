"""Email backends: ``.eml`` files for the embedded default, SMTP that knows when it is in doubt.

``EmlFileBackend``: Django's own file backend appends messages to ``.log`` files; a
compliance officer wants to open one email in a mail client, so each message here is one
RFC 5322 file in ``EMAIL_OUTBOX_DIR`` (``var/outbox/`` by default).

``SmtpBackend`` (used whenever ``EMAIL_HOST`` is set) is Django's SMTP backend, except that
a connection lost after the whole message was sent and before the server answered raises
``DeliveryInDoubt`` instead of a plain ``SMTPServerDisconnected``: the server may deliver
what it received, so the caller must not treat it as "not sent" and retry (RFC 5321
§4.1.1.4 warns of exactly these duplicates). Everything before the message's last byte
(connect, MAIL, RCPT, DATA, a refused or failed transfer) still raises as before: nothing
was delivered.
"""

import smtplib
import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend
from django.utils import timezone


class EmlFileBackend(BaseEmailBackend):
    _lock = threading.Lock()

    def __init__(self, *, outbox_dir=None, fail_silently=False, **kwargs):
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.outbox_dir = Path(outbox_dir or settings.EMAIL_OUTBOX_DIR)

    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        self.outbox_dir.mkdir(parents=True, exist_ok=True)
        sent = 0
        with self._lock:
            for message in email_messages:
                stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
                path = self.outbox_dir / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
                path.write_bytes(message.message().as_bytes(linesep="\r\n"))
                sent += 1
        return sent


class DeliveryInDoubt(smtplib.SMTPServerDisconnected):
    """The whole message reached the mail server, then the connection failed before its answer."""


class _KnowsWhenInDoubt:
    """An ``smtplib`` client that remembers whether the last thing it sent was a whole message
    (the data ending with ``CRLF.CRLF``), so a failure to read the answer to it is in doubt."""

    _message_complete = False

    def send(self, s):
        self._message_complete = False
        super().send(s)  # raises (nothing complete) if the socket fails
        self._message_complete = isinstance(s, bytes | bytearray) and s.endswith(b"\r\n.\r\n")

    def getreply(self):
        try:
            return super().getreply()
        except smtplib.SMTPServerDisconnected as error:
            if self._message_complete:
                raise DeliveryInDoubt(*error.args) from error
            raise
        finally:
            self._message_complete = False


class _SMTP(_KnowsWhenInDoubt, smtplib.SMTP):
    pass


class _SMTP_SSL(_KnowsWhenInDoubt, smtplib.SMTP_SSL):  # noqa: N801 - after smtplib's name
    pass


class SmtpBackend(EmailBackend):
    """Django's SMTP backend whose connections raise ``DeliveryInDoubt`` (see the module docstring)."""

    @property
    def connection_class(self):
        return _SMTP_SSL if self.use_ssl else _SMTP
