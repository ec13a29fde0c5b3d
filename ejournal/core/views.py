from django.http import HttpRequest
from django.shortcuts import render


def not_found(request: HttpRequest, exception=None):
    return render(request, "errors/404.html", status=404)


def forbidden(request: HttpRequest, exception=None):
    # A forbidden page looks like a missing one: it must not confirm the object exists.
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest):
    return render(request, "errors/500.html", status=500)
