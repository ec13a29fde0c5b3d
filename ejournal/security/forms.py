from django import forms


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Код",
        max_length=32,
        help_text="6 цифр из приложения или один из резервных кодов.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label="Код из приложения",
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class DisableForm(forms.Form):
    password = forms.CharField(
        label="Текущий пароль",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label="Код из приложения",
        max_length=32,
        help_text="6 цифр из приложения или один из резервных кодов.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )
