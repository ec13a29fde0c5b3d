"""Data for the journal page tests: 5А mathematics with a few lessons, works and marks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from ejournal.accounts.models import Role
from ejournal.journal import services
from ejournal.journal.models import Attendance, Mark, Work, WorkType
from ejournal.testing import factories as f

LESSON_DAY = dt.date(2026, 11, 16)


def at(when: str):
    """Freeze the clock at a Moscow time, e.g. at("2026-11-16 10:00")."""
    return time_machine.travel(f"{when} +0300", tick=False)


class Pages:
    """The role world plus a lesson of 5А mathematics with a work, a mark, an absence,
    homework with an attachment, and a teacher of another class («other_teacher»)."""

    def __init__(self, world):
        self.w = world
        self.teacher = world.staff["teacher"]
        services.work_types_ensure_defaults(school=world.school)
        self.types = {wt.name: wt for wt in WorkType.objects.filter(school=world.school)}
        self.lesson = f.make_lesson(world.group, world.subject, self.teacher, LESSON_DAY)
        self.work = Work.objects.create(lesson=self.lesson, work_type=self.types["Ответ на уроке"])
        self.student = world.students[0]
        Mark.objects.create(work=self.work, student=self.student, value="4", numeric=4)
        Attendance.objects.create(lesson=self.lesson, student=world.students[1], code="n")
        user = world.users["teacher"]
        with at("2026-11-16 09:30"):
            self.homework = services.homework_save(
                actor=user, staff=self.teacher, lesson=self.lesson, homework=None, text="№ 12, 14"
            )
            self.attachment = services.homework_attach(
                actor=user,
                staff=self.teacher,
                homework=self.homework,
                upload=SimpleUploadedFile("task.txt", "Задача 1".encode(), "text/plain"),
            )
        other_user = f.UserFactory(username="other_teacher")
        self.other_teacher = f.StaffFactory(school=world.school, user=other_user)
        f.grant(other_user, Role.TEACHER, world.school)
        other_group = f.GroupFactory(school_class=world.other_class, name="6Б")
        f.load(other_group, world.subject, self.other_teacher, Decimal("5"))
        world.users["other_teacher"] = other_user
        world.staff["other_teacher"] = self.other_teacher

    def lesson_on(self, day, number=1, **extra):
        return f.make_lesson(self.w.group, self.w.subject, self.teacher, day, number, **extra)
