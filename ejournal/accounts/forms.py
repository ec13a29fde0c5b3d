from django import forms
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Неверный логин или пароль.",
        "inactive": "Учётная запись заблокирована. Обратитесь к администратору.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Логин"
        self.fields["password"].label = "Пароль"
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
        self.fields["remember"] = forms.BooleanField(
            label="Запомнить это устройство",
            required=False,
            help_text=(
                "Для родителей и учеников: вход сохранится на 30 дней. "
                "Не отмечайте на чужом или общем компьютере. Сотрудники входят каждый раз."
            ),
        )


class PasswordChangeForm(forms.Form):
    """A voluntary change asks for the current password; the forced change right after a
    sign-in with an issued one-time password does not (it was typed a moment ago)."""

    current_password = forms.CharField(
        label="Текущий пароль",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label="Новый пароль", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label="Повторите пароль", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, forced: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if forced:
            del self.fields["current_password"]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("new_password1") != data.get("new_password2"):
            raise forms.ValidationError("Пароли не совпадают.")
        return data
