"""The first-steps guide of a new school's setup."""

from ejournal.accounts.models import Role
from ejournal.accounts.permissions import STRUCTURE_READERS, roles_required
from ejournal.schedule import setup
from ejournal.school.http import AuthedRequest
from ejournal.school.views._common import render_page


@roles_required(STRUCTURE_READERS)
def setup_guide(request: AuthedRequest):
    guide = setup.setup_guide(
        school=request.ctx.school_or_404(), is_admin=Role.ADMIN in request.ctx.roles
    )
    return render_page(request, "school/setup.html", tab="setup", year=guide.year, guide=guide)
