from __future__ import annotations

from django import forms

from ejournal.notifications.models import Channel, Event, Mode


def field_name(channel: str, event: str) -> str:
    return f"{channel}__{event}"


class PreferencesForm(forms.Form):
    """One choice per channel and event; a channel the school has not set up keeps its
    saved choice and cannot be changed (the page says «не настроено»)."""

    def __init__(
        self,
        *args,
        initial_modes: dict[tuple[str, str], str],
        configured: frozenset[str] = frozenset(Channel.values),
        quiet_hours: bool = True,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.configured = configured
        self.fields["quiet_hours"] = forms.BooleanField(
            label="Тихие часы: push-уведомления с 21:00 до 08:00 приходят утром",
            required=False,
            initial=quiet_hours,
            disabled=Channel.PUSH not in configured,
        )
        for event in Event:
            for channel in Channel:
                self.fields[field_name(channel, event)] = forms.ChoiceField(
                    label=f"{event.label} — {channel.label}",
                    choices=Mode.choices,
                    initial=initial_modes[(channel.value, event.value)],
                    disabled=channel.value not in configured,
                )

    def modes(self) -> dict[tuple[str, str], str]:
        return {
            (channel.value, event.value): self.cleaned_data[field_name(channel, event)]
            for event in Event
            for channel in Channel
        }

    def rows(self):
        """(event label, [bound field per channel]) for the table; a disabled field is a
        channel that is not configured."""
        return [
            (event.label, [self[field_name(channel, event)] for channel in Channel])
            for event in Event
        ]
