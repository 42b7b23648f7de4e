"""An email backend that writes each message as an ``.eml`` file.

Django's own file backend appends messages to ``.log`` files; a compliance officer wants
to open one email in a mail client, so each message here is one RFC 5322 file in
``EMAIL_OUTBOX_DIR`` (``var/outbox/`` by default).
"""

import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
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
