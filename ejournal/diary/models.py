"""The diary reads journal data; it only keeps who looked at what, and calendar tokens."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models


class DiaryPage(models.TextChoices):
    WEEK = "week", "неделя"
    MARKS = "marks", "отметки"
    HOMEWORK = "homework", "домашние задания"
    SUMMARY = "summary", "долги и посещаемость"
    ATTACHMENT = "attachment", "вложение"
    CALENDAR = "calendar", "календарь"


class DiaryVisit(models.Model):
    """One diary page view, for the activity reports on parents and students (one insert)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="diary_visits"
    )
    student = models.ForeignKey(
        "accounts.Student", on_delete=models.CASCADE, related_name="diary_visits"
    )
    school = models.ForeignKey("school.School", on_delete=models.CASCADE, related_name="+")
    page = models.CharField("страница", max_length=16, choices=DiaryPage.choices)
    visited_at = models.DateTimeField("когда", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "просмотр дневника"
        verbose_name_plural = "просмотры дневника"
        indexes = [models.Index(fields=["school", "visited_at"], name="diary_visit_school_idx")]

    def __str__(self) -> str:
        return f"{self.user} → {self.student}: {self.get_page_display()}"


def new_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """The private address of a user's iCalendar feed; replacing the token revokes the old one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "календарь (iCalendar)"
        verbose_name_plural = "календари (iCalendar)"

    def __str__(self) -> str:
        return f"Календарь: {self.user}"
