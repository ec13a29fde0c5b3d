from __future__ import annotations

from django import forms

from ejournal.notifications.models import Channel, Event, Mode


def field_name(channel: str, event: str) -> str:
    return f"{channel}__{event}"


class PreferencesForm(forms.Form):
    """One choice per channel and event."""

    def __init__(self, *args, initial_modes: dict[tuple[str, str], str], **kwargs):
        super().__init__(*args, **kwargs)
        for event in Event:
            for channel in Channel:
                self.fields[field_name(channel, event)] = forms.ChoiceField(
                    label=f"{event.label} — {channel.label}",
                    choices=Mode.choices,
                    initial=initial_modes[(channel.value, event.value)],
                )

    def modes(self) -> dict[tuple[str, str], str]:
        return {
            (channel.value, event.value): self.cleaned_data[field_name(channel, event)]
            for event in Event
            for channel in Channel
        }

    def rows(self):
        """(event label, [bound field per channel]) for the table."""
        return [
            (event.label, [self[field_name(channel, event)] for channel in Channel])
            for event in Event
        ]
