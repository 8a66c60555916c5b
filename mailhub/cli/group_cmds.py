"""``mailhub directory group …``: static and rule-based groups."""

from __future__ import annotations

import dataclasses

import click

from directory import add_members, add_posters, create_group, group_info, require_group
from directory import list_groups as all_groups
from mailhub.cli.main import Context
from mailhub.cli.output import emit_json, emit_table


@click.group()
def group() -> None:
    """Groups of officials (static lists or rules such as heads:department)."""


@group.command("create")
@click.argument("name")
@click.option("--address", help="An address for the group, usually on the service domain.")
@click.option("--rule", help="Selectors resolved at send time, e.g. 'heads:department' or 'agency:SYT'.")
@click.option("--description", default="")
@click.option("--open", "open_to_outside", is_flag=True, help="Anyone may post (closed by default).")
@click.pass_obj
def create(obj: Context, name: str, address: str | None, rule: str | None, description: str,
           open_to_outside: bool) -> None:
    """Create a group."""
    with obj.app.directory.session() as session:
        created = create_group(session, name, address=address, rule=rule, description=description,
                                         open_to_outside=open_to_outside)
        click.echo(f"created group {created.name}")


@group.command("add")
@click.argument("name")
@click.argument("addresses", nargs=-1, required=True)
@click.pass_obj
def add(obj: Context, name: str, addresses: tuple[str, ...]) -> None:
    """Add officials to a group's static member list."""
    with obj.app.directory.session() as session:
        added = add_members(session, name, list(addresses))
        click.echo(f"{added} member(s) added to {name}")


@group.command("allow")
@click.argument("name")
@click.argument("senders", nargs=-1, required=True)
@click.pass_obj
def allow(obj: Context, name: str, senders: tuple[str, ...]) -> None:
    """Allow senders (addresses or @domain) to post to a group's address."""
    with obj.app.directory.session() as session:
        add_posters(session, name, list(senders))
        click.echo(f"{len(senders)} sender(s) may post to {name}")


@group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def list_groups(obj: Context, as_json: bool) -> None:
    """List groups."""
    with obj.app.directory.session() as session:
        groups = all_groups(session)
    if as_json:
        emit_json([dataclasses.asdict(g) for g in groups])
        return
    emit_table(["Name", "Address", "Rule", "Static members", "Open"],
               [(g.name, g.address or "-", g.rule or "-", len(g.members), "yes" if g.open_to_outside else "no")
                for g in groups])


@group.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def show(obj: Context, name: str, as_json: bool) -> None:
    """Show a group and whom it reaches now."""
    with obj.app.directory.session() as session:
        info = group_info(session, require_group(session, name))
    reach = obj.app.directory.resolve(f"group:{name}")
    if as_json:
        emit_json({**dataclasses.asdict(info), "resolves_to": [m.address for m in reach.mailboxes]})
        return
    click.echo(f"{info.name}: {info.description}")
    click.echo(f"address: {info.address or '-'}   rule: {info.rule or '-'}   open: {info.open_to_outside}")
    click.echo(f"reaches {len(reach.mailboxes)} mailbox(es)")
    for box in reach.mailboxes:
        click.echo(f"  {box.address}\t{box.display_name}")
