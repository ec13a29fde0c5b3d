from __future__ import annotations

from django import forms

from ejournal.core.formfields import choice_field
from ejournal.core.widgets import DateInput, DateTimeInput
from ejournal.messaging.models import AnnouncementAudience, EventKind


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ComposeForm(forms.Form):
    recipients = forms.MultipleChoiceField(
        label="Получатели", required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    groups = forms.MultipleChoiceField(
        label="Группы получателей",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    subject = forms.CharField(label="Тема", max_length=200)
    body = forms.CharField(label="Текст", widget=forms.Textarea(attrs={"rows": 8}))
    attachments = MultipleFileField(label="Вложения")

    def __init__(self, *args, people=(), groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "recipients").choices = [(str(u.pk), str(u)) for u in people]
        if groups:
            choice_field(self, "groups").choices = list(groups)
        else:
            del self.fields["groups"]


class ReplyForm(forms.Form):
    body = forms.CharField(label="Ответ", widget=forms.Textarea(attrs={"rows": 5}))
    attachments = MultipleFileField(label="Вложения")


class SettingsForm(forms.Form):
    parents_to_teachers = forms.BooleanField(
        label="Родители пишут учителям своих детей и классному руководителю", required=False
    )
    parents_to_administration = forms.BooleanField(
        label="Родители пишут администрации", required=False
    )
    students_to_teachers = forms.BooleanField(
        label="Ученики пишут своим учителям и классному руководителю", required=False
    )


class AnnouncementForm(forms.Form):
    title = forms.CharField(label="Заголовок", max_length=200)
    audience = forms.ChoiceField(label="Для кого", choices=AnnouncementAudience.choices)
    grade = forms.IntegerField(label="Параллель", required=False, min_value=1, max_value=11)
    school_class = forms.ChoiceField(label="Класс", required=False)
    body = forms.CharField(label="Текст", widget=forms.Textarea(attrs={"rows": 6}))
    publish_from = forms.DateField(label="Опубликовать с", widget=DateInput())
    publish_until = forms.DateField(label="Показывать по", required=False, widget=DateInput())
    attachments = MultipleFileField(label="Вложения")

    def __init__(self, *args, classes=(), **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "school_class").choices = [("", "—")] + [
            (str(c.pk), str(c)) for c in classes
        ]


class EventForm(forms.Form):
    kind = forms.ChoiceField(label="Вид", choices=EventKind.choices)
    title = forms.CharField(label="Название", max_length=200)
    starts_at = forms.DateTimeField(label="Начало", widget=DateTimeInput())
    ends_at = forms.DateTimeField(label="Окончание", required=False, widget=DateTimeInput())
    place = forms.CharField(label="Место", max_length=200, required=False)
    description = forms.CharField(label="Описание", required=False, widget=forms.Textarea)
    classes = forms.MultipleChoiceField(label="Классы", required=False)
    students = forms.MultipleChoiceField(
        label="Ученики", required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )

    def __init__(self, *args, classes=(), students=(), **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "classes").choices = [(str(c.pk), str(c)) for c in classes]
        choice_field(self, "students").choices = [(str(s.pk), s.full_name) for s in students]


class ResultForm(forms.Form):
    student = forms.ChoiceField(label="Ученик")
    place = forms.CharField(label="Место", max_length=50, required=False)
    diploma = forms.CharField(label="Диплом", max_length=100, required=False)
    score = forms.CharField(label="Баллы", max_length=12, required=False)

    def __init__(self, *args, students=(), **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "student").choices = [(str(s.pk), s.full_name) for s in students]


class PeriodForm(forms.Form):
    # An end left empty is filled in with the school year's (see views._period).
    start = forms.DateField(label="С", widget=DateInput())
    end = forms.DateField(label="По", widget=DateInput())


class CommentForm(forms.Form):
    text = forms.CharField(label="Комментарий для родителей", widget=forms.Textarea({"rows": 4}))
