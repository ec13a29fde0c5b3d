"""A person's device as the pages name it (sessions, push subscriptions)."""

from __future__ import annotations


def describe_device(user_agent: str) -> str:
    """A short Russian label: browser and system, from the User-Agent."""
    ua = user_agent or ""
    browser = next(
        (
            name
            for token, name in (
                ("YaBrowser", "Яндекс Браузер"),
                ("Edg/", "Edge"),
                ("OPR/", "Opera"),
                ("Firefox/", "Firefox"),
                ("Chrome/", "Chrome"),
                ("Safari/", "Safari"),
            )
            if token in ua
        ),
        "браузер",
    )
    system = next(
        (
            name
            for token, name in (
                ("Android", "Android"),
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Windows", "Windows"),
                ("Mac OS", "macOS"),
                ("Linux", "Linux"),
            )
            if token in ua
        ),
        "",
    )
    return f"{browser}, {system}" if system else browser
