from django.apps import AppConfig


class CircularityConfig(AppConfig):
    name = "circularity"
    verbose_name = "Circularity"
    default_auto_field = "django.db.models.BigAutoField"
