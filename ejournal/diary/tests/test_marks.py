import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from ejournal.attestation.models import PeriodMark, PeriodMarkKind
from ejournal.diary import selectors
from ejournal.school.models import StudyPeriod
from ejournal.testing import factories as f
from ejournal.testing.queries import exact_queries

from .conftest import MONDAY, TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def klass(dw, world):
    """5А with five students: the child and four classmates with known averages."""
    students = list(world.students)  # child + 2
    for i in range(2):
        s = f.StudentFactory(school=world.school, last_name=f"Доп{i}", first_name="Тайный")
        f.enroll(s, world.school_class)
        students.append(s)
    return students


def test_rating_is_correct_for_a_hand_built_class(dw, world, klass):
    child, b, c, d, e = klass
    russian = f.SubjectFactory(school=world.school, name="Русский язык")
    math_lesson = dw.lesson(MONDAY, 1)
    rus_lesson = dw.lesson(MONDAY, 2, subject=russian)
    # Mathematics: child 5 (×1) and 3 (×2, control) → 11/3 = 3.67.
    dw.put(math_lesson, child, "5")
    dw.put(math_lesson, child, "3", category="control")
    dw.put(math_lesson, b, "5")  # 5.00
    dw.put(math_lesson, c, "4")  # 4.00
    dw.put(math_lesson, d, "3")  # 3.00
    # e has no marks in mathematics: not ranked.
    # Russian: child 4, b 4 (tie), e 5.
    dw.put(rus_lesson, child, "4")
    dw.put(rus_lesson, b, "4")
    dw.put(rus_lesson, e, "5")
    dw.put(rus_lesson, e, "osv")  # special marks do not count

    page = selectors.marks_page(child, TODAY, None)
    by_name = {s.subject: s for s in page.subjects}
    math = by_name["Математика"]
    assert math.average.quantize(Decimal("0.01")) == Decimal("3.67")
    assert (math.rating.position, math.rating.total) == (3, 4)
    assert math.rating.display == "3 из 4"
    rus = by_name["Русский язык"]
    assert (rus.rating.position, rus.rating.total) == (2, 3)  # tie with b shares 2nd
    # Overall = mean of subject averages: child (3.67+4)/2=3.83, b (5+4)/2=4.5, c 4, d 3, e 5.
    assert page.overall_rating.display == "4 из 5"


def test_marks_page_shows_own_marks_rating_and_no_classmate_names_or_marks(
    dw, client_for, today, world, klass
):
    child, b, *_ = klass
    lesson = dw.lesson(MONDAY)
    dw.put(lesson, child, "4", comment="Хорошо")
    dw.put(lesson, b, "2", comment="Секретный комментарий")
    response = client_for("student").get(reverse("diary:marks", args=[child.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Хорошо" in html
    assert "1 из 2" in html
    for other in klass[1:]:
        assert other.last_name not in html
    assert "Секретный комментарий" not in html
    assert 'class="mark mark-2"' not in html


def test_marks_page_trend_chart_has_a_text_alternative(dw, client_for, today):
    child = dw.w.child
    dw.put(dw.lesson(MONDAY), child, "5")
    dw.put(dw.lesson(MONDAY + dt.timedelta(days=1)), child, "3")
    html = client_for("parent").get(reverse("diary:marks", args=[child.pk])).content.decode()
    assert '<svg class="trend-chart"' in html
    assert 'role="img"' in html
    assert "сначала 5,00, сейчас 4,00" in html
    assert "<polyline" in html


def test_marks_page_period_choice_and_period_marks(dw, client_for, today, world):
    child = dw.w.child
    first = StudyPeriod.objects.get(band__year=world.year, number=1)
    dw.put(dw.lesson(dt.date(2026, 10, 5)), child, "2", comment="В первой четверти")
    PeriodMark.objects.create(
        school=world.school,
        year=world.year,
        student=child,
        subject=world.subject,
        kind=PeriodMarkKind.PERIOD,
        period=first,
        value="4",
    )
    client = client_for("parent")
    current = client.get(reverse("diary:marks", args=[child.pk])).content.decode()
    assert "В первой четверти" not in current
    url = reverse("diary:marks", args=[child.pk]) + f"?period={first.pk}"
    response = client.get(url)
    html = response.content.decode()
    assert "В первой четверти" in html
    assert response.context["data"].subjects[0].period_mark.value == "4"


# Queries of one open of the diary's marks page by a parent (session, roles, school context,
# the marks, averages, ratings and period marks). A change is a change in cost: say why.
MARKS_PAGE_QUERIES = 13


@pytest.mark.parametrize("extra", [0, 20])
def test_marks_page_query_count_does_not_grow(dw, client_for, today, world, extra):
    child = dw.w.child
    for i in range(extra):
        subject = f.SubjectFactory(school=world.school, name=f"Предмет {i}")
        lesson = dw.lesson(MONDAY + dt.timedelta(days=i % 5), i // 5 + 2, subject=subject)
        for s in world.students:
            dw.put(lesson, s, "4")
    client = client_for("parent")
    url = reverse("diary:marks", args=[child.pk])
    assert client.get(url).status_code == 200  # warm the session
    # The exact cost (the SQL is printed on failure), the same with 20 more subjects.
    with exact_queries(MARKS_PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["data"].subjects) == extra


# The subjects' markup as the template language built it before the fragment went to
# Jinja2 (diary/jinja2/diary/subjects.html): the fragment must give the same page.
TEMPLATE_SUBJECTS = """{% for s in data.subjects %}
<section class="panel subject">
  <h2>{{ s.subject }}</h2>
  <div class="subject-stats">
    <span>Средний: <strong>{{ s.average_display }}</strong></span>
    <span>Место в классе: <strong class="rating">{{ s.rating.display }}</strong></span>
    <span>За период: <strong>{% if s.period_mark %}{{ s.period_mark.get_value_display }}{% else %}—{% endif %}</strong></span>
    {% for sid, ym in data.year_marks.items %}{% if sid == s.subject_id %}<span>Годовая: <strong>{{ ym.get_value_display }}</strong></span>{% endif %}{% endfor %}
  </div>
  {% if s.marks %}
  <ol class="mark-row" aria-label="Отметки по датам">{% for m in s.marks %}<li><span class="mark mark-{{ m.value }}" title="{{ m.work_type }}, вес {{ m.weight|floatformat:'-1' }}{% if m.comment %}: {{ m.comment }}{% endif %}">{{ m.display }}</span><small>{{ m.date|date:"d.m" }}</small></li>{% endfor %}</ol>
  {% for sid, chart in charts.items %}{% if sid == s.subject_id %}{{ chart }}{% endif %}{% endfor %}
  <details><summary>Подробно</summary>
    <div class="table-wrap"><table>
      <thead><tr><th>Дата</th><th>Отметка</th><th>Работа</th><th class="num">Вес</th><th>Комментарий</th></tr></thead>
      <tbody>{% for m in s.marks %}<tr><td>{{ m.date|date:"d.m.Y" }}</td><td>{{ m.display }}</td><td>{{ m.work_type }}{% if m.title %} «{{ m.title }}»{% endif %}</td><td class="num">{{ m.weight|floatformat:"-1" }}</td><td>{{ m.comment }}</td></tr>{% endfor %}</tbody>
    </table></div>
  </details>
  {% else %}<p class="muted">В этом периоде отметок нет.</p>{% endif %}
</section>
{% empty %}<p class="muted">В этом периоде отметок пока нет.</p>
{% endfor %}"""  # noqa: E501


def _same_markup(a: str, b: str) -> bool:
    import re

    def squeeze(html):
        return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()

    return squeeze(a) == squeeze(b)


def test_the_jinja2_subjects_match_the_template_markup(dw, world, today):
    from django.template import Context, Template

    from ejournal.core.jinja2 import render_fragment
    from ejournal.diary import charts

    child = dw.w.child
    russian = f.SubjectFactory(school=world.school, name="Русский <язык>")
    dw.put(dw.lesson(MONDAY, 1), child, "5", category="control", comment="Отлично & <b>")
    dw.put(dw.lesson(MONDAY, 2, subject=russian), child, "dot")
    dw.put(dw.lesson(MONDAY - dt.timedelta(days=7), 1), child, "3", category="written")
    PeriodMark.objects.create(
        school=world.school, year=world.year, student=child, subject=russian,
        kind=PeriodMarkKind.YEAR, value="4",
    )  # fmt: skip
    data = selectors.marks_page(child, TODAY, None)
    period = data.choice.period
    chart_by_subject = {
        s.subject_id: charts.trend_svg(s.trend, period.start, period.end, s.subject)
        for s in data.subjects
    }
    expected = Template(TEMPLATE_SUBJECTS).render(
        Context({"data": data, "charts": chart_by_subject})
    )
    built = render_fragment("diary/subjects.html", data=data, charts=chart_by_subject)
    assert "Отлично &amp; &lt;b&gt;" in built and "Русский &lt;язык&gt;" in built
    assert "вес 1,5" in built and "Годовая: <strong>4</strong>" in built
    assert _same_markup(built, expected)


def test_no_marks_in_the_period_says_so(dw, world, today):
    from ejournal.core.jinja2 import render_fragment

    data = selectors.marks_page(dw.w.child, TODAY, None)
    assert _same_markup(
        render_fragment("diary/subjects.html", data=data, charts={}),
        '<p class="muted">В этом периоде отметок пока нет.</p>',
    )
