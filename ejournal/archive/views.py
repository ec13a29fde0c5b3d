"""Archive pages. Views parse input, call one service or selector, and render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ejournal.accounts.permissions import deny, roles_required
from ejournal.archive import backups, school_export, selectors, services
from ejournal.archive.models import Backup
from ejournal.archive.permissions import (
    ARCHIVISTS,
    EXPORTERS,
    READERS,
    REGISTER_READERS,
    backup_in_school,
    backups_visible,
    class_in_school,
    deployment_admin_required,
    export_in_school,
    job_in_school,
    period_of_class,
    record_in_school,
)
from ejournal.core import ratelimit
from ejournal.school import selectors as school_selectors
from ejournal.school.http import AuthedRequest


def _errors(request: AuthedRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@roles_required(READERS)
def index(request: AuthedRequest):
    school = request.ctx.school_or_404()
    year = school_selectors.year_on(school=school, day=school_selectors.school_today(school))
    rows = selectors.classes_for_archive(school=school, year=year) if year else []
    return render(
        request,
        "archive/index.html",
        {
            "year": year,
            "rows": rows,
            "records": selectors.records_of(school=school, limit=50),
            "periods": selectors.periods_of(year=year) if year else [],
            "jobs": selectors.jobs_of(school=school),
            "can_archive": bool(request.ctx.roles & ARCHIVISTS),
            "can_export": bool(request.ctx.roles & EXPORTERS),
        },
    )


@require_POST
@roles_required(READERS)
def print_copy(request: AuthedRequest):
    school_class = class_in_school(request.ctx, request.POST.get("class_id", ""))
    slug = request.POST.get("period", "")
    try:
        period = period_of_class(school_class, slug)
        pdf = services.copy_print(
            actor=request.user,
            school_class=school_class,
            period=period,
            purpose=request.POST.get("purpose", ""),
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("archive:index")
    return _pdf(pdf, f"journal-{school_class.pk}-{slug}.pdf")


@require_POST
@roles_required(ARCHIVISTS)
def archive_create(request: AuthedRequest):
    school_class = class_in_school(request.ctx, request.POST.get("class_id", ""))
    try:
        period = period_of_class(school_class, request.POST.get("period", ""))
        records = services.archive_create(
            actor=request.user, school_class=school_class, period=period
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("archive:index")
    messages.success(request, "В архив помещены: " + "; ".join(r.title for r in records) + ".")
    return redirect("archive:record", records[0].pk)


@roles_required(READERS)
def record(request: AuthedRequest, record_id: int):
    item = record_in_school(request.ctx, record_id)
    (verification,) = services.archive_verify(records=[item])
    comparison = services.record_compare(record=item)
    return render(
        request,
        "archive/record.html",
        {"record": item, "verification": verification, "comparison": comparison},
    )


@require_POST
@roles_required(READERS)
def record_pdf(request: AuthedRequest, record_id: int):
    item = record_in_school(request.ctx, record_id)
    try:
        pdf = services.record_download(
            actor=request.user, record=item, purpose=request.POST.get("purpose", "")
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("archive:record", item.pk)
    return _pdf(pdf, f"archive-{item.pk}-v{item.version}.pdf")


@roles_required(READERS)
def verify(request: AuthedRequest):
    results = services.archive_verify(
        records=selectors.records_of(school=request.ctx.school, limit=100000)
    )
    return render(
        request,
        "archive/verify.html",
        {"results": results, "broken": sum(1 for r in results if not r.ok)},
    )


@roles_required(REGISTER_READERS)
def backup_register(request: AuthedRequest):
    ctx = request.ctx
    return render(
        request,
        "archive/backups.html",
        {
            "backups": selectors.register(backups=backups_visible(ctx)),
            "usage": selectors.usage_of(school=ctx.school),
            "can_export": bool(ctx.roles & EXPORTERS),
        },
    )


# --- Backups of the whole deployment: its administrator only -----------------------------


def _backup_limited(request: AuthedRequest):
    """The backup limit counts for the deployment, not per person: each run copies it all."""
    if ratelimit.hit("backup", key="deployment", rate="backup"):
        messages.error(
            request,
            "Резервные копии и их проверки запускаются не чаще, чем разрешено на сервере "
            "(RATE_LIMIT_BACKUP). Подождите и попробуйте снова.",
        )
        return redirect("archive:server_backups")
    return None


@deployment_admin_required
def server_backups(request: AuthedRequest):
    return render(
        request,
        "archive/server_backups.html",
        {"backups": selectors.register(backups=Backup.objects.all())},
    )


@require_POST
@deployment_admin_required
def backup_create(request: AuthedRequest):
    if refused := _backup_limited(request):
        return refused
    try:
        backup = backups.backup_create(actor=request.user, note=request.POST.get("note", ""))
    except backups.BackupError as exc:
        messages.error(request, backups.without_paths(str(exc)))
        return redirect("archive:server_backups")
    messages.success(request, f"{backup} записана в реестр.")
    return redirect("archive:server_backups")


@require_POST
@deployment_admin_required
def backup_check(request: AuthedRequest, backup_id: int):
    backup = Backup.objects.filter(pk=backup_id).first()
    if backup is None:
        raise deny()
    if refused := _backup_limited(request):
        return refused
    report = backups.backup_check(backup=backup, actor=request.user)
    if report.ok:
        messages.success(
            request,
            f"{backup}: восстановление проверено — таблиц {report.tables}, строк "
            f"{report.rows}, файлов {report.files} совпадают с описью.",
        )
    else:
        problems = backups.without_paths("; ".join(report.problems))
        messages.error(request, f"{backup}: проверка не пройдена: {problems}")
    return redirect("archive:server_backups")


@require_POST
@roles_required(REGISTER_READERS)
def usage_create(request: AuthedRequest):
    backup_id = request.POST.get("backup", "")
    backup = backup_in_school(request.ctx, int(backup_id)) if backup_id.isdigit() else None
    try:
        services.usage_record(
            actor=request.user,
            school=request.ctx.school,
            backup=backup,
            item=request.POST.get("item", ""),
            taken_by=request.POST.get("taken_by", ""),
            purpose=request.POST.get("purpose", ""),
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "Запись внесена в журнал пользования копиями.")
    return redirect("archive:backups")


@require_POST
@roles_required(READERS)
def school_print(request: AuthedRequest):
    school = request.ctx.school_or_404()
    year = school_selectors.year_on(school=school, day=school_selectors.school_today(school))
    slug = request.POST.get("period", "year")
    period = None
    if slug != "year" and year is not None:
        from ejournal.school.models import StudyPeriod

        period = StudyPeriod.objects.filter(
            band__year=year, pk=int(slug[1:]) if slug[1:].isdigit() else 0
        ).first()
    if year is None or (slug != "year" and period is None):
        messages.error(request, "Учебный период не найден.")
        return redirect("archive:index")
    try:
        job = services.print_job_start(actor=request.user, school=school, year=year, period=period)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("archive:index")
    return redirect("archive:job", job.pk)


@roles_required(READERS)
def job(request: AuthedRequest, job_id: int):
    item = job_in_school(request.ctx, job_id)
    template = "archive/_job.html" if request.headers.get("HX-Request") else "archive/job.html"
    return render(request, template, {"job": item})


@roles_required(READERS)
def job_file(request: AuthedRequest, job_id: int):
    item = job_in_school(request.ctx, job_id)
    if not item.file:
        return redirect("archive:job", item.pk)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=f"school-{item.pk}.pdf")


# --- «Выгрузка данных школы» ------------------------------------------------------------------


@roles_required(EXPORTERS)
def exports(request):
    school = request.ctx.school
    return render(
        request,
        "archive/exports.html",
        {
            "exports": selectors.exports_of(school=school),
            "next_at": school_export.next_allowed_at(school=school, now=timezone.now()),
            "per_hour": school_export.EXPORTS_PER_HOUR,
        },
    )


@require_POST
@roles_required(EXPORTERS)
def export_start(request):
    try:
        export = school_export.school_export_start(actor=request.user, school=request.ctx.school)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("archive:exports")
    return redirect("archive:export", export.pk)


@never_cache
@roles_required(EXPORTERS)
def export(request, export_id: int):
    item = export_in_school(request.ctx, export_id)
    template = "archive/_export.html" if request.htmx else "archive/export.html"
    return render(request, template, {"export": item})


@never_cache
@roles_required(EXPORTERS)
def export_file(request, export_id: int):
    item = export_in_school(request.ctx, export_id)
    try:
        handle = school_export.school_export_take(export=item, actor=request.user)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("archive:export", item.pk)
    stamp = timezone.localtime(item.created_at).strftime("%Y%m%d-%H%M")
    response = FileResponse(handle, as_attachment=True, filename=f"school-data-{stamp}.zip")
    response["Cache-Control"] = "no-store"
    return response
