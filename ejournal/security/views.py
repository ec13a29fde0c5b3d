"""Two-factor sign-in and its settings, the user's sessions, tamper alerts for the deputy
(read by the director)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ejournal.accounts import services as account_services
from ejournal.accounts import two_factor
from ejournal.accounts.models import Role, StaffMember
from ejournal.core import ratelimit
from ejournal.core.devices import describe_device
from ejournal.school.http import AuthedRequest, SchoolRequest
from ejournal.security import sessions, tamper
from ejournal.security.forms import CodeForm, DisableForm, EnrolForm
from ejournal.security.models import UserSession

CODES_KEY = "ejournal_recovery_codes"


def _finish_sign_in(request: SchoolRequest, pending, device):
    login(request, pending.user, backend=pending.backend)
    two_factor.mark_verified(request, device)
    UserSession.objects.filter(session_key=request.session.session_key).update(two_factor=True)
    account_services.user_record_sign_in(user=pending.user)
    two_factor.pending_clear(request)


def _pending_or_login(request: SchoolRequest):
    pending = two_factor.pending_of(request)
    if pending is None:
        messages.info(request, "Время на ввод кода истекло. Войдите снова.")
    return pending


def _known_address(request: SchoolRequest, user) -> bool:
    address = ratelimit.client_key(request)
    return UserSession.objects.filter(user=user, ip=address, two_factor=True).exists()


@never_cache
def two_factor_verify(request: SchoolRequest):
    pending = _pending_or_login(request)
    if pending is None:
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        # Counted per account *and address*: someone who has the password but not the
        # phone can exhaust only their own address's tries, never lock the real user out.
        key = f"user:{pending.user.pk}:{ratelimit.client_key(request)}"
        wait = ratelimit.hit_wait("two_factor", key=key, rate="two_factor")
        if wait is None and not _known_address(request, pending.user):
            # Across new addresses the account has a budget of its own (a guesser with
            # many addresses); addresses the user has signed in from are not held back.
            wait = ratelimit.hit_wait(
                "two_factor_account",
                key=f"user:{pending.user.pk}",
                rate=settings.RATE_LIMITS.get("two_factor_account", "30/3600"),
            )
        if wait is not None:
            two_factor.pending_clear(request)
            return ratelimit.too_many_requests(request, retry=wait)
        if form.is_valid():
            device = two_factor.verify_code(user=pending.user, code=form.cleaned_data["code"])
            if device is not None:
                next_url = pending.next
                _finish_sign_in(request, pending, device)
                ratelimit.reset("two_factor", key=key, rate="two_factor")
                return HttpResponseRedirect(next_url)
            account_services.user_record_failed_sign_in(username=pending.user.username)
            form.add_error("code", "Код не подошёл. Введите новый код из приложения.")
    return render(request, "security/verify.html", {"form": form})


@never_cache
def two_factor_setup(request: SchoolRequest):
    """Enrolment: during a pending sign-in (forced), or from the profile (voluntary)."""
    if request.user.is_authenticated:
        user, pending = request.user, None
    else:
        pending = _pending_or_login(request)
        if pending is None:
            return redirect("accounts:login")
        user = pending.user
        if two_factor.is_enrolled(user):
            return redirect("security:two_factor_verify")
    if request.user.is_authenticated and two_factor.is_enrolled(user):
        return redirect("security:two_factor")
    device = two_factor.enrolment_device(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST":
        if ratelimit.hit("two_factor", key=f"user:{user.pk}", rate="two_factor"):
            return ratelimit.too_many_requests(request, retry=ratelimit.retry_after("two_factor"))
        if form.is_valid():
            try:
                codes = two_factor.totp_confirm(
                    user=user, device=device, code=form.cleaned_data["code"]
                )
            except ValidationError as exc:
                form.add_error("code", exc)
            else:
                if pending is not None:
                    _finish_sign_in(request, pending, device)
                else:
                    two_factor.mark_verified(request, device)
                request.session[CODES_KEY] = codes
                return redirect("security:recovery_codes")
    return render(
        request,
        "security/setup.html",
        {
            "form": form,
            # The SVG is generated from our own otpauth URL: no user input in it.
            "qr": mark_safe(two_factor.qr_svg(device)),  # noqa: S308
            "secret": two_factor.secret_base32(device),
            "forced": pending is not None,
        },
    )


@never_cache
@login_required
def recovery_codes(request: AuthedRequest):
    """Recovery codes are shown once, right after they are made."""
    codes = request.session.pop(CODES_KEY, None)
    if request.method == "POST":
        try:
            codes = two_factor.recovery_codes_regenerate(user=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect("security:two_factor")
    if not codes:
        return redirect("security:two_factor")
    return render(request, "security/recovery_codes.html", {"codes": codes})


@login_required
def two_factor_settings(request: AuthedRequest):
    user = request.user
    disable_form = DisableForm()
    if request.method == "POST" and request.POST.get("action") == "disable":
        disable_form = DisableForm(request.POST)
        key = f"user:{user.pk}"
        if ratelimit.is_limited("reauth", key=key, rate="two_factor"):
            return ratelimit.too_many_requests(request, retry=ratelimit.retry_after("two_factor"))
        if disable_form.is_valid():
            try:
                two_factor.two_factor_disable(user=user, **disable_form.cleaned_data)
            except ValidationError as exc:
                if exc.error_list[0].code == "reauth":
                    ratelimit.hit("reauth", key=key, rate="two_factor")
                disable_form.add_error(None, exc)
            else:
                messages.success(request, "Вход с кодом выключен.")
                return redirect("security:two_factor")
    return render(
        request,
        "security/two_factor.html",
        {
            "enrolled": two_factor.is_enrolled(user),
            "required": two_factor.is_required(user),
            "codes_left": two_factor.recovery_codes_left(user),
            "disable_form": disable_form,
        },
    )


@login_required
def session_list(request: AuthedRequest):
    rows = sessions.active_sessions(user=request.user)
    current = request.session.session_key
    items = [
        {
            "row": row,
            "device": describe_device(row.user_agent),
            "current": row.session_key == current,
        }
        for row in rows
    ]
    return render(request, "security/sessions.html", {"items": items})


@login_required
@require_POST
def session_revoke(request: AuthedRequest, session_id: int):
    row = UserSession.objects.filter(user=request.user, pk=session_id).first()
    if row is None:
        raise Http404
    if row.session_key == request.session.session_key:
        messages.error(request, "Чтобы завершить текущий сеанс, нажмите «Выйти».")
        return redirect("security:sessions")
    sessions.session_revoke(user=request.user, session_id=session_id)
    messages.success(request, "Сеанс завершён.")
    return redirect("security:sessions")


def _alerts_school(request: AuthedRequest, roles):
    ctx = request.ctx
    if ctx.school is None or not ctx.roles & roles:
        raise Http404
    return ctx.school


@login_required
def alert_list(request: AuthedRequest):
    """The deputy acts on the alerts; the director reads them."""
    school = _alerts_school(request, tamper.ALERT_READERS)
    return render(
        request,
        "security/alerts.html",
        {
            "alerts": tamper.alerts_of_school(school=school),
            "school": school,
            "can_acknowledge": bool(request.ctx.roles & tamper.ALERT_HANDLERS),
        },
    )


@login_required
@require_POST
def alert_acknowledge(request: AuthedRequest, alert_id: int):
    school = _alerts_school(request, tamper.ALERT_HANDLERS)
    try:
        tamper.alert_acknowledge(actor=request.user, school=school, alert_id=alert_id)
    except ValidationError:
        raise Http404 from None
    messages.success(request, "Сигнал отмечен как просмотренный.")
    return redirect("security:alerts")


@login_required
def school_policy(request: AuthedRequest):
    """The school administrator decides whether teachers must sign in with a code, and
    resets the code app of a staff member who lost their phone."""
    ctx = request.ctx
    if ctx.school is None or Role.ADMIN not in ctx.roles:
        raise Http404
    school = ctx.school
    if request.method == "POST" and request.POST.get("action") == "reset":
        staff = (
            StaffMember.objects.filter(
                school=school,
                pk=request.POST.get("staff", "0") if request.POST.get("staff", "").isdigit() else 0,
            )
            .select_related("user")
            .first()
        )
        if staff is None or staff.user is None:
            raise Http404
        try:
            two_factor.two_factor_reset(actor=request.user, school=school, user=staff.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, f"Вход с кодом сброшен: {staff.full_name} настроит приложение при входе."
            )
        return redirect("security:school_policy")
    if request.method == "POST":
        two_factor.school_policy_save(
            actor=request.user,
            school=school,
            teachers_required=request.POST.get("teachers_required") == "on",
        )
        messages.success(request, "Настройка сохранена.")
        return redirect("security:school_policy")
    return render(
        request,
        "security/school_policy.html",
        {"school": school, "enrolled_staff": two_factor.staff_with_devices(school=school)},
    )
