"""The shared progress partial: polls while the work runs, stops and links when done."""

from django.template.loader import render_to_string


def _render(**context):
    return render_to_string(
        "partials/progress.html", {"progress_id": 7, "poll_url": "/poll/7/", **context}
    )


def test_running_work_polls_and_shows_the_percentage():
    html = _render(status="running", percent=40)
    assert 'hx-get="/poll/7/"' in html
    assert 'hx-trigger="every 2s"' in html
    assert '<progress max="100" value="40"' in html
    assert "Выполняется: 40 %" in html
    assert "Открыть результат" not in html


def test_pending_work_without_a_percentage_shows_an_indeterminate_bar():
    html = _render(status="pending", percent=None)
    assert '<progress max="100" aria-label' in " ".join(html.split())
    assert "value=" not in html
    assert "В очереди" in html


def test_finished_work_stops_polling_and_links_the_result():
    html = _render(
        status="done",
        percent=100,
        result_url="/result/7/",
        result_links=[("XLSX", "/r.xlsx"), ("PDF", "/r.pdf")],
    )
    assert "hx-get" not in html
    assert 'href="/result/7/"' in html and "Открыть результат" in html
    assert 'href="/r.xlsx"' in html and 'href="/r.pdf"' in html
    assert 'class="progress done"' in html


def test_failed_work_stops_polling_and_says_why():
    html = _render(status="failed", percent=30, error="Нет учеников в классе.")
    assert "hx-get" not in html
    assert "<progress" not in html
    assert "Нет учеников в классе." in html
