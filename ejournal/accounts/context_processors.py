def current_school(request):
    ctx = getattr(request, "ctx", None)
    return {"ctx": ctx}
