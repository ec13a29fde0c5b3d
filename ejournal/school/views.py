from django.shortcuts import render

from ejournal.accounts.permissions import STRUCTURE_READERS, roles_required
from ejournal.school import selectors


@roles_required(STRUCTURE_READERS)
def overview(request):
    school = request.ctx.school
    today = selectors.school_today(school)
    year = selectors.year_on(school=school, day=today)
    problems = selectors.structure_problems(year=year, day=today) if year else []
    return render(
        request,
        "school/overview.html",
        {"year": year, "today": today, "problems": problems},
    )
