from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ejournal.audit"
    label = "audit"
