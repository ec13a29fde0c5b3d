from django.apps import AppConfig


class AttestationConfig(AppConfig):
    name = "ejournal.attestation"
    label = "attestation"
    verbose_name = "аттестация"
