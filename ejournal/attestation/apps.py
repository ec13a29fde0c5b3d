from django.apps import AppConfig


class AttestationConfig(AppConfig):
    name = "ejournal.attestation"
    label = "attestation"
    verbose_name = "аттестация"

    def ready(self) -> None:
        from ejournal.attestation import selectors
        from ejournal.journal import rules

        # Closed periods lock ordinary journal edits (corrections still work).
        if selectors.closed_ranges_for not in rules.CLOSED_PERIOD_PROVIDERS:
            rules.CLOSED_PERIOD_PROVIDERS.append(selectors.closed_ranges_for)
