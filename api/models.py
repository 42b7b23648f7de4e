"""The API app keeps no models of its own: access scopes live in ``inventory.models``
(the admin applies them too, and the inventory imports nothing of the API)."""
