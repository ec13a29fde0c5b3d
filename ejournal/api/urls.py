from django.urls import path
from django.views.generic import RedirectView

from ejournal.api import docs, views
from ejournal.api.api import api

app_name = "api"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="api:v1:openapi-view"), name="index"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("v1/docs/assets/<str:name>", docs.asset, name="docs_asset"),
    path("v1/", api.urls),
]
