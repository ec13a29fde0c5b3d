import pytest
from django import forms

from ejournal.core.formfields import choice_field, model_choice_field
from ejournal.school.models import Subject


class _Form(forms.Form):
    kind = forms.ChoiceField(choices=[])
    subject = forms.ModelChoiceField(queryset=Subject.objects.none())
    note = forms.CharField()


def test_choice_fields_come_back_as_themselves():
    form = _Form()
    choice_field(form, "kind").choices = [("a", "А")]
    assert list(form.fields["kind"].choices) == [("a", "А")]
    assert model_choice_field(form, "subject") is form.fields["subject"]
    # A model choice field is a choice field too.
    assert choice_field(form, "subject") is form.fields["subject"]


def test_a_field_of_another_kind_is_refused():
    form = _Form()
    with pytest.raises(TypeError, match="note"):
        choice_field(form, "note")
    with pytest.raises(TypeError, match="kind"):
        model_choice_field(form, "kind")
