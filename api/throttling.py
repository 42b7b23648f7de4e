"""Per-user request throttling, its rate read from the settings on every request.

DRF's ``UserRateThrottle`` copies ``DEFAULT_THROTTLE_RATES`` when it is imported, so a
changed setting (``API_THROTTLE_USER``, or a test's override) would be ignored; this one
reads the current value. The counts live in Django's cache: configure a shared cache
(Redis) in production, or each web process counts on its own.
"""

from rest_framework import throttling
from rest_framework.settings import api_settings


class UserRateThrottle(throttling.UserRateThrottle):
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
