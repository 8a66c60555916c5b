"""The signer block of a letter (Nghị định 30/2020), from the command line; the directory's head of
the sending agency is the default."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from mailhub.dispatch.composing import one_line
from mailhub.dispatch.letterhead import Signer


def signer_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed((
        click.option("--signer-authority", default="", metavar="TEXT",
                     help="Above the signer's title: TL. CHỦ TỊCH, KT. GIÁM ĐỐC, TM. ỦY BAN NHÂN DÂN."),
        click.option("--signer-title", default="", metavar="TEXT",
                     help="The signer's title (default: the head of the sending agency's)."),
        click.option("--signer-name", default="", metavar="NAME",
                     help="The signer's name (default: the head of the sending agency)."),
    )):
        command = option(command)
    return command


def signer_from(signer_authority: str, signer_title: str, signer_name: str) -> Signer | None:
    one_line(signer_authority, signer_title, signer_name)
    if not (signer_authority or signer_title or signer_name):
        return None
    return Signer(signer_authority, signer_title, signer_name)
