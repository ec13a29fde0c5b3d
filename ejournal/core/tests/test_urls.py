from django.urls import reverse

from ejournal.core.urls import url_template


def test_a_url_template_filled_is_the_reversed_url():
    assert url_template("journal:lesson").format(42) == reverse("journal:lesson", args=[42])
    assert url_template("diary:attachment", 7).format(9) == reverse("diary:attachment", args=[7, 9])
