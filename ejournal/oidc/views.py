"""The provider's round trip: out to sign in, back with a code, and RP-initiated logout."""

from __future__ import annotations

from urllib.parse import urlencode

from authlib.common.errors import AuthlibBaseError
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from joserfc.errors import JoseError
from requests import RequestException

from ejournal.accounts import services as account_services
from ejournal.accounts import two_factor
from ejournal.oidc import services
from ejournal.school.http import SchoolRequest
from ejournal.security.models import UserSession

ID_TOKEN_KEY = "ejournal_oidc_id_token"
PROVIDER_KEY = "ejournal_oidc_provider"
# The provider's checks already happened; Django only needs to know how to reload the user.
BACKEND = "django.contrib.auth.backends.ModelBackend"
CALLBACK_FAILED = (
    "Не удалось войти через {label}: ответ не прошёл проверку или устарел. Попробуйте ещё раз."
)


def _provider_or_404(name: str) -> services.Provider:
    provider = services.provider_by_name(name)
    if provider is None:
        raise Http404
    return provider


@never_cache
def start(request: SchoolRequest, provider: str):
    if request.user.is_authenticated:
        return redirect("accounts:home")
    chosen = _provider_or_404(provider)
    redirect_uri = request.build_absolute_uri(reverse("oidc:callback", args=[chosen.name]))
    return services.client_for(chosen).authorize_redirect(request, redirect_uri)


@never_cache
def callback(request: SchoolRequest, provider: str):
    chosen = _provider_or_404(provider)
    label = chosen.label.removeprefix("Войти через ")
    client = services.client_for(chosen)
    try:
        token = client.authorize_access_token(request)
        claims = services.verified_claims(client=client, token=token)
    except (AuthlibBaseError, JoseError, RequestException, ValueError) as exc:
        # A replayed or foreign state, a tampered ID token, a wrong nonce, the provider away.
        services.failure_record(provider=chosen, error=f"{type(exc).__name__}: {exc}")
        messages.error(request, CALLBACK_FAILED.format(label=label))
        return redirect("accounts:login")
    try:
        user = services.oidc_sign_in(provider=chosen, claims=claims)
    except services.SignInRefused as exc:
        messages.error(request, str(exc))
        return redirect("accounts:login")
    request.session[ID_TOKEN_KEY] = token.get("id_token", "")
    request.session[PROVIDER_KEY] = chosen.name
    if services.needs_our_code(user=user, claims=claims):
        # Our own code step, as after a password: the session starts on the code page.
        user.backend = BACKEND
        two_factor.pending_start(request, user, next_url=reverse("accounts:home"))
        if two_factor.is_enrolled(user):
            return redirect("security:two_factor_verify")
        return redirect("security:two_factor_setup")
    login(request, user, backend=BACKEND)
    if services.is_multi_factor(claims):
        UserSession.objects.filter(session_key=request.session.session_key).update(two_factor=True)
    return redirect("accounts:home")


@require_POST
def sign_out(request: SchoolRequest):
    """Ends our session, then sends the browser to the provider to end its own."""
    id_token = request.session.get(ID_TOKEN_KEY, "")
    chosen = services.provider_by_name(request.session.get(PROVIDER_KEY, ""))
    if request.user.is_authenticated:
        account_services.user_record_sign_out(user=request.user)
    logout(request)
    if chosen is None:
        return redirect("accounts:login")
    client = services.client_for(chosen)
    end_session = client.load_server_metadata().get("end_session_endpoint")
    if not end_session:
        return redirect("accounts:login")
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": chosen.client_id,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("accounts:login")),
        }
    )
    return HttpResponseRedirect(f"{end_session}?{query}")
