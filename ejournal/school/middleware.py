from ejournal.school.context import SchoolContext


class CurrentSchoolMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.ctx = SchoolContext(request)
        return self.get_response(request)
