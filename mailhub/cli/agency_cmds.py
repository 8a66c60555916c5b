"""``mailhub directory agencies|add-agency|move-agency|merge-agency|alias-domain``."""

from __future__ import annotations

import dataclasses

import click

from directory import add_domain_alias, create_agency, require_agency
from directory import merge_agency as merge_agencies
from directory import move_agency as move_under
from mailhub.cli.main import Context
from mailhub.cli.output import emit_json, emit_table

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@click.command("agencies")
@json_option
@click.pass_obj
def list_agencies(obj: Context, as_json: bool) -> None:
    """List agencies as a tree."""
    agencies = obj.app.directory.agencies()
    if as_json:
        emit_json([dataclasses.asdict(a) for a in agencies])
        return
    rows = sorted(agencies, key=lambda a: a.path)
    emit_table(
        ["Mã", "Tên đơn vị", "Loại", "Tên miền", "Hộp thư", "Active"],
        [("  " * (len(a.path) - 1) + a.code, a.name, a.kind, a.domain, a.mailbox or "-",
          "yes" if a.active else "no") for a in rows],
    )


@click.command("add-agency")
@click.argument("code")
@click.argument("name")
@click.option("--kind", default="unit", show_default=True, help="province, department, district, commune, unit")
@click.option("--parent", metavar="CODE")
@click.option("--domain", help="Mail domain (default: the parent's).")
@click.option("--mailbox", help="The agency's own mailbox address.")
@click.pass_obj
def add_agency(obj: Context, code: str, name: str, kind: str, parent: str | None, domain: str | None,
               mailbox: str | None) -> None:
    """Add one agency."""
    with obj.app.directory.session() as session:
        parent_agency = require_agency(session, parent) if parent else None
        agency = create_agency(session, code=code, name=name, kind=kind, parent=parent_agency,
                                          domain=domain, mailbox=mailbox)
        click.echo(f"added {agency.code} ({agency.domain})")


@click.command("move-agency")
@click.argument("code")
@click.option("--parent", "new_parent", required=True, metavar="CODE", help="The new parent agency.")
@click.pass_obj
def move_agency(obj: Context, code: str, new_parent: str) -> None:
    """Re-parent an agency; its addresses do not change."""
    with obj.app.directory.session() as session:
        agency = move_under(session, code, new_parent)
        click.echo(f"{agency.code} is now under {new_parent}")


@click.command("merge-agency")
@click.argument("code")
@click.option("--into", "into", required=True, metavar="CODE", help="The agency that absorbs it.")
@click.pass_obj
def merge_agency(obj: Context, code: str, into: str) -> None:
    """Merge an agency into another: officials and children move, the old mailbox becomes an alias."""
    with obj.app.directory.session() as session:
        target, moved = merge_agencies(session, code, into)
        click.echo(f"merged {code} into {target.code}: {moved} officials moved")


@click.command("alias-domain")
@click.argument("old_domain")
@click.argument("new_domain")
@click.pass_obj
def alias_domain(obj: Context, old_domain: str, new_domain: str) -> None:
    """Keep a former domain working: mail to user@OLD reaches user@NEW."""
    with obj.app.directory.session() as session:
        alias = add_domain_alias(session, old_domain, new_domain)
        click.echo(f"{alias.domain} -> {alias.target_domain}")


COMMANDS = [list_agencies, add_agency, move_agency, merge_agency, alias_domain]
