"""Forming reports: on request, or as a background run with progress and a stored result."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from ejournal.audit import services as audit
from ejournal.reports import exports
from ejournal.reports.forms import ReportFilterForm
from ejournal.reports.models import ReportRun, RunStatus
from ejournal.reports.permissions import Scope, scope_for_run
from ejournal.reports.registry import Report, ReportResult, get_report
from ejournal.school.selectors import school_today

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


class ReportRefused(Exception):
    """The filters do not validate: ``messages`` say why, in Russian."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def form_errors(form) -> list[str]:
    messages = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.append(f"{label}: {error}" if label else str(error))
    return messages


def report_build(*, report: Report, scope: Scope, data) -> ReportResult:
    """Validate the filter data against the scope and build the report."""
    form = ReportFilterForm(data, report=report, scope=scope)
    if not form.is_valid():
        raise ReportRefused(form_errors(form))
    return report.build(scope=scope, params=form.params)


def formed_on(scope: Scope) -> dt.date:
    school = scope.school or scope.schools.first()
    return school_today(school) if school else timezone.localdate()


def school_name(scope: Scope) -> str:
    if scope.school is not None:
        return scope.school.name or scope.school.short_name
    return str(scope.municipality or "")


def report_export(*, report: Report, result: ReportResult, scope: Scope, fmt: str, actor) -> bytes:
    """The file of a report; handing personal data out is recorded in the audit trail."""
    render = exports.to_xlsx if fmt == "xlsx" else exports.to_pdf
    content = render(
        report=report, result=result, school_name=school_name(scope), formed=formed_on(scope)
    )
    audit.record(
        action="report.exported",
        actor=actor,
        school=scope.school,
        object_type="reports.report",
        object_id=report.slug,
        after={"format": fmt, "subtitle": result.subtitle},
    )
    return content


def _params_of(data) -> dict:
    if hasattr(data, "lists"):
        return {key: values[-1] for key, values in data.lists() if key not in ("format",)}
    return dict(data)


@transaction.atomic
def run_start(*, report: Report, scope: Scope, data, actor) -> ReportRun:
    """Check the filters now (a bad input changes nothing), then queue the run."""
    from ejournal.reports import tasks

    form = ReportFilterForm(data, report=report, scope=scope)
    if not form.is_valid():
        raise ReportRefused(form_errors(form))
    run = ReportRun.objects.create(
        slug=report.slug,
        user=actor,
        school=scope.school,
        municipality=scope.municipality if scope.school is None else None,
        params=_params_of(data),
    )
    audit.record(
        action="report.run_started",
        actor=actor,
        school=scope.school,
        obj=run,
        after={"report": report.slug, "params": run.params},
    )
    transaction.on_commit(lambda: tasks.form_report.enqueue(run.pk))
    return run


def run_execute(*, run_id: int) -> str:
    """The task's body: build the report, saving progress as it goes."""
    run = (
        ReportRun.objects.select_related("user", "school", "municipality").filter(pk=run_id).first()
    )
    if run is None or run.is_finished:
        return "missing"
    report = get_report(run.slug)
    try:
        if report is None:
            raise ReportRefused(["Отчёт больше не существует."])
        scope = scope_for_run(run, report)
        last = {"percent": -1}

        def progress(done: int, total: int) -> None:
            percent = min(99, int(done * 100 / total)) if total else 0
            if percent != last["percent"]:
                last["percent"] = percent
                ReportRun.objects.filter(pk=run.pk).update(progress=percent)

        scope.progress = progress
        ReportRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
        result = report_build(report=report, scope=scope, data=run.params)
    except ReportRefused as exc:
        _finish(run, RunStatus.FAILED, error="; ".join(exc.messages))
        return RunStatus.FAILED
    except Http404:
        # The user lost the role (or the class) since the run was queued.
        _finish(run, RunStatus.FAILED, error="Нет доступа к этому отчёту.")
        return RunStatus.FAILED
    except Exception as exc:  # noqa: BLE001 - the run records any failure for the user
        _finish(run, RunStatus.FAILED, error=f"Не удалось сформировать отчёт: {exc}")
        raise
    _finish(run, RunStatus.DONE, result=result.to_json())
    return RunStatus.DONE


def _finish(run: ReportRun, status: str, *, result=None, error: str = "") -> None:
    run.status = status
    run.result = result
    run.error = error
    run.progress = 100 if status == RunStatus.DONE else run.progress
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "result", "error", "progress", "finished_at"])
