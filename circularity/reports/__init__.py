"""The monthly compliance report (SPEC section 7).

``build`` reads the figures into a ``Report``; ``html``, ``csv`` and ``pdf`` render it;
``send`` claims the month, sends the email once and records it; ``admin`` shows the
reports with preview, downloads and re-send. See docs/reports.md.
"""
