"""User-facing text lives in template files (Vietnamese with diacritics), never in code."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from string import Template


@cache
def template(name: str) -> Template:
    return Template(files("mailhub").joinpath("templates", name).read_text(encoding="utf-8"))


def render(name: str, **values: object) -> str:
    return template(name).substitute({k: str(v) for k, v in values.items()})
