"""The Python-built checkbox list gives Django's own markup (up to whitespace)."""

import re

from django import forms

from ejournal.core.widgets import Checkboxes


def same(html: str) -> str:
    """The markup with runs of whitespace as one space and none between tags."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html)))


CHOICES = [(1, "Иванов А."), (2, 'О"Брайен <Б>'), ("x&y", "Третий")]


def test_checkboxes_render_the_same_html_as_django():
    for value in [None, [], [2], ["2", "x&y"]]:
        for attrs in [
            None,
            {"id": "id_students"},
            {"id": "s", "class": "c", "aria-describedby": "h"},
        ]:
            ours = Checkboxes(choices=CHOICES).render("students", value, attrs)
            django = forms.CheckboxSelectMultiple(choices=CHOICES).render("students", value, attrs)
            assert same(ours) == same(django), (value, attrs)
            assert ours.count("checked") == django.count("checked")


def test_checkboxes_with_option_groups_render_the_same_html_as_django():
    choices = [("5А", [(1, "Один"), (2, "Два")]), ("5Б", [(3, "Три")])]
    ours = Checkboxes(choices=choices).render("s", [3], {"id": "g"})
    django = forms.CheckboxSelectMultiple(choices=choices).render("s", [3], {"id": "g"})
    assert same(ours) == same(django)
