from django.http import Http404


def index(request):
    # Placeholder until the app's pages land.
    raise Http404
