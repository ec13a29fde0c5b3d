from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ejournal.accounts import selectors, services, two_factor
from ejournal.accounts.forms import PasswordChangeForm, SignInForm
from ejournal.accounts.http import AuthedRequest, SchoolRequest
from ejournal.accounts.middleware import SESSION_SCHOOL_KEY
from ejournal.core import ratelimit


def _safe_next(request: SchoolRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def sign_in(request: SchoolRequest):
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
                two_factor.pending_start(request, user, next_url=_safe_next(request))
                if two_factor.is_enrolled(user):
                    return redirect("security:two_factor_verify")
                return redirect("security:two_factor_setup")
            login(request, user)
            services.user_record_sign_in(user=user)
            return HttpResponseRedirect(_safe_next(request))
        services.user_record_failed_sign_in(username=request.POST.get("username", ""))
        ratelimit.hit("sign_in_ip", key=ip_key, rate="sign_in_ip")
    return _sign_in_page(request, form)


def _sign_in_page(request: SchoolRequest, form: SignInForm):
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "next": _safe_next(request, ""),
            # One button per configured provider (ejournal.oidc); none configured, none shown.
            "providers": [
                {"name": p["name"], "label": p.get("label") or f"Войти через {p['name']}"}
                for p in settings.OIDC_PROVIDERS
            ],
        },
    )


@require_POST
def sign_out(request: SchoolRequest):
    if request.user.is_authenticated:
        services.user_record_sign_out(user=request.user)
    logout(request)
    return redirect("accounts:login")


@login_required
def password_change(request: AuthedRequest):
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
def sign_out_everywhere(request: AuthedRequest):
    services.user_sign_out_everywhere(user=request.user)
    logout(request)
    messages.info(request, "Вы вышли на всех устройствах.")
    return redirect("accounts:login")


@login_required
def profile(request: AuthedRequest):
    return render(
        request,
        "accounts/profile.html",
        {"sections": selectors.profile_sections(request=request)},
    )


@login_required
def choose_school(request: AuthedRequest):
    memberships = request.ctx.memberships
    if request.method == "POST":
        key = request.POST.get("membership", "")
        if any(m.key == key for m in memberships):
            request.session[SESSION_SCHOOL_KEY] = key
            return HttpResponseRedirect(_safe_next(request))
        messages.error(request, "Выберите школу из списка.")
    return render(
        request,
        "accounts/choose_school.html",
        {"memberships": memberships, "next": _safe_next(request, "")},
    )


@login_required
def home(request: AuthedRequest):
    """The role-aware start page: each role lands on what it needs first."""
    ctx = request.ctx
    if ctx.needs_choice:
        return redirect("accounts:choose_school")
    role = ctx.primary_role
    if role is None:
        return render(request, "accounts/start_none.html")
    data = selectors.start_page_data(request=request, role=role)
    return render(request, f"accounts/start_{role}.html", data)
