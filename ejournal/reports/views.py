"""Report pages. Views parse input, call one service, and render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ejournal.accounts.permissions import deny, roles_required
from ejournal.core import charts
from ejournal.reports import exports, services
from ejournal.reports.forms import ReportFilterForm, default_data
from ejournal.reports.permissions import (
    REPORT_USERS,
    report_for,
    reports_for,
    run_for,
    runs_visible_to,
    scope_for_request,
    scope_for_run,
)
from ejournal.reports.registry import ReportResult
from ejournal.school.http import AuthedRequest


def _screen(report, result: ReportResult, scope) -> dict:
    """The PDF's data, with each cell paired with whether it is a number (right-aligned)."""
    data = exports.pdf_data(
        report=report,
        result=result,
        school_name=services.school_name(scope),
        formed=services.formed_on(scope),
    )

    def cells(values, numeric):
        return list(zip(values, numeric, strict=False)) if values else values

    data["charts"] = [_chart(chart) for chart in result.charts]
    for table in data["tables"]:
        numeric = table["numeric"]
        table["rows"] = [cells(row, numeric) for row in table["rows"]]
        table["totals"] = cells(table["totals"], numeric)
        for group in table["groups"]:
            group["rows"] = [cells(row, numeric) for row in group["rows"]]
            group["subtotal"] = cells(group["subtotal"], numeric)
    return data


def _chart(chart) -> dict:
    def fmt(value) -> str:
        if value is None:
            return "—"
        return f"{value:.0f} {chart.unit}" if chart.unit else charts.decimal_ru(value)

    return {
        "svg": charts.bar_chart(
            title=chart.title, bars=chart.bars, max_value=chart.max_value, value_format=fmt
        ),
        "table": charts.data_table(
            caption=chart.title,
            headers=["", chart.title],
            rows=[(label, fmt(value)) for label, value in chart.bars],
        ),
    }


def _file(report, content: bytes, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=services.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{report.slug}.{fmt}"'
    return response


@roles_required(REPORT_USERS)
def index(request: AuthedRequest):
    reports = reports_for(request.ctx)
    runs = list(runs_visible_to(request).defer("result")[:10])
    titles = {r.slug: r.title for r in reports}
    for run in runs:
        run.title = titles.get(run.slug, run.slug)  # type: ignore[attr-defined]
    return render(request, "reports/index.html", {"reports": reports, "runs": runs})


@roles_required(REPORT_USERS)
def page(request: AuthedRequest, slug: str):
    report = report_for(request.ctx, slug)
    scope = scope_for_request(request, report)
    fmt = request.GET.get("format", "")
    if fmt and fmt not in services.FORMATS:
        raise deny()
    data = default_data(report=report, scope=scope)
    data.update({k: v for k, v in request.GET.dict().items() if k != "format"})
    ready = all(data.get(name) for name in _required_keys(report))
    form = ReportFilterForm(data if ready else None, report=report, scope=scope, initial=data)
    result, screen = None, None
    if ready and form.is_valid() and not report.background:
        result = report.build(scope=scope, params=form.params)
        if fmt:
            content = services.report_export(
                report=report, result=result, scope=scope, fmt=fmt, actor=request.user
            )
            return _file(report, content, fmt)
        screen = _screen(report, result, scope)
    elif fmt:
        raise deny()
    # Downloads repeat exactly the filters the screen was built with.
    query = urlencode(data)
    return render(
        request,
        "reports/page.html",
        {
            "report": report,
            "form": form,
            "screen": screen,
            "ready": ready,
            "query": query,
        },
    )


def _required_keys(report) -> list[str]:
    keys = []
    for name in report.required:
        keys.extend(["start", "end"] if name == "date_range" else [name])
    return keys


@require_POST
@roles_required(REPORT_USERS)
def run_start(request: AuthedRequest, slug: str):
    report = report_for(request.ctx, slug)
    scope = scope_for_request(request, report)
    try:
        run = services.run_start(report=report, scope=scope, data=request.POST, actor=request.user)
    except services.ReportRefused as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(reverse("reports:page", args=[slug]))
    return redirect(reverse("reports:run", args=[run.pk]))


@roles_required(REPORT_USERS)
def run_detail(request: AuthedRequest, run_id: int):
    run, report = run_for(request, run_id)
    screen = None
    if run.status == "done" and run.result:
        scope = scope_for_run(run, report)
        screen = _screen(report, ReportResult.from_json(run.result), scope)
    template = "reports/_run_progress.html" if request.htmx else "reports/run.html"
    return render(request, template, {"run": run, "report": report, "screen": screen})


@roles_required(REPORT_USERS)
def run_download(request: AuthedRequest, run_id: int, fmt: str):
    run, report = run_for(request, run_id)
    if fmt not in services.FORMATS or run.status != "done" or not run.result:
        raise deny()
    scope = scope_for_run(run, report)
    content = services.report_export(
        report=report,
        result=ReportResult.from_json(run.result),
        scope=scope,
        fmt=fmt,
        actor=request.user,
    )
    return _file(report, content, fmt)
