from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from ejournal.accounts import selectors, services, two_factor
from ejournal.accounts.forms import PasswordChangeForm, SignInForm
from ejournal.accounts.http import AccountRequest, SignedInRequest
from ejournal.accounts.middleware import REMEMBER_KEY
from ejournal.core import ratelimit
from ejournal.core.mail import email_sends


def safe_next(request: AccountRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def sign_in(request: AccountRequest):
    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST":
        # Many failed sign-ins from one address across logins (credential stuffing): 429.
        ip_key = ratelimit.client_key(request)
        if ratelimit.is_limited("sign_in_ip", key=ip_key, rate="sign_in_ip"):
            return ratelimit.too_many_requests(request, retry=ratelimit.retry_after("sign_in_ip"))
        if form.is_valid():
            user = form.get_user()
            if services.password_sign_in_forbidden(user):
                services.user_record_failed_sign_in(username=user.username)
                form.add_error(None, services.PASSWORD_SIGN_IN_FORBIDDEN)
                return _sign_in_page(request, form)
            if two_factor.needs_second_step(user):
                # No session before the code is checked: the code page (or, without a
                # device yet, the enrolment page) finishes the sign-in.
                two_factor.pending_start(request, user, next_url=safe_next(request))
                if two_factor.is_enrolled(user):
                    return redirect("security:two_factor_verify")
                return redirect("security:two_factor_setup")
            remember = form.cleaned_data.get("remember") and services.is_family_only(user)
            if remember:  # set before login(): the sign-in's session record reads it
                request.session[REMEMBER_KEY] = True
            login(request, user)
            if remember:
                request.session.set_expiry(settings.SESSION_REMEMBER_DAYS * 24 * 3600)
            services.user_record_sign_in(user=user)
            return HttpResponseRedirect(safe_next(request))
        services.user_record_failed_sign_in(username=request.POST.get("username", ""))
        ratelimit.hit("sign_in_ip", key=ip_key, rate="sign_in_ip")
    return _sign_in_page(request, form)


def _sign_in_page(request: AccountRequest, form: SignInForm):
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "next": safe_next(request, ""),
            # One button per configured provider (ejournal.oidc); none configured, none shown.
            "providers": [
                {"name": p["name"], "label": p.get("label") or f"Войти через {p['name']}"}
                for p in settings.OIDC_PROVIDERS
            ],
        },
    )


@require_POST
def sign_out(request: AccountRequest):
    if request.user.is_authenticated:
        services.user_record_sign_out(user=request.user)
    logout(request)
    return redirect("accounts:login")


@login_required
def password_change(request: SignedInRequest):
    forced = request.user.must_change_password
    form = PasswordChangeForm(request.POST or None, forced=forced)
    if request.method == "POST" and form.is_valid():
        key = f"user:{request.user.pk}"
        if not forced and ratelimit.is_limited("reauth", key=key, rate="two_factor"):
            return ratelimit.too_many_requests(request, retry=ratelimit.retry_after("two_factor"))
        try:
            services.user_change_password(
                user=request.user,
                new_password=form.cleaned_data["new_password1"],
                current_password=form.cleaned_data.get("current_password"),
            )
        except ValidationError as exc:
            if exc.error_list[0].code == "current_password":
                ratelimit.hit("reauth", key=key, rate="two_factor")
                form.add_error("current_password", exc)
            else:
                form.add_error("new_password1", exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "Пароль изменён.")
            return redirect("accounts:home")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "forced": forced},
    )


@login_required
@require_POST
def sign_out_everywhere(request: SignedInRequest):
    services.user_sign_out_everywhere(user=request.user)
    logout(request)
    messages.info(request, "Вы вышли на всех устройствах.")
    return redirect("accounts:login")


@login_required
def profile(request: SignedInRequest):
    return render(
        request,
        "accounts/profile.html",
        {"sections": selectors.profile_sections(request=request)},
    )


class ResetRequestForm(forms.Form):
    identifier = forms.CharField(label="Логин или адрес электронной почты", max_length=254)


class ResetForm(forms.Form):
    new_password1 = forms.CharField(
        label="Новый пароль", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label="Повторите пароль", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean() or {}
        if data.get("new_password1") != data.get("new_password2"):
            raise ValidationError("Пароли не совпадают.")
        return data


@require_http_methods(["GET", "POST"])
def password_reset(request: AccountRequest):
    """«Забыли пароль?»: the same answer whoever asks (no account is revealed)."""
    form = ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = ratelimit.client_key(request)
        if ratelimit.hit("password_reset", key=key, rate="password_reset"):
            return ratelimit.too_many_requests(
                request, retry=ratelimit.retry_after("password_reset")
            )
        services.password_reset_request(
            identifier=form.cleaned_data["identifier"],
            base_url=settings.SITE_URL or request.build_absolute_uri("/"),
        )
        messages.info(request, services.RESET_ANSWER)
        return redirect("accounts:login")
    return render(request, "accounts/password_reset.html", {"form": form, "mail": email_sends()})


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: AccountRequest, uidb64: str, token: str):
    user = services.password_reset_user(uidb64=uidb64, token=token)
    if user is None:
        messages.error(request, "Ссылка недействительна или устарела: запросите новую.")
        return redirect("accounts:password_reset")
    form = ResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_complete(
                user=user, new_password=form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            messages.success(request, "Пароль изменён. Войдите с новым паролем.")
            return redirect("accounts:login")
    return render(request, "accounts/password_reset_confirm.html", {"form": form})
