"""``mailhub invite create|update|cancel`` and ``mailhub meeting list|show``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from mailhub.cli import words
from mailhub.cli.letter_options import signer_from, signer_options
from mailhub.cli.main import Context
from mailhub.cli.output import emit_json, emit_table
from mailhub.dispatch.meetings.service import Changes, InviteRequest, parse_when
from mailhub.dispatch.meetings.views import list_meetings, show_meeting

output_option = click.option("--output", type=click.Path(path_type=Path),
                             help="Write what would be sent (a file, or a directory for several) and queue nothing.")


def _when(value: str | None) -> object:
    return parse_when(value) if value else None


@click.group()
def invite() -> None:
    """Meeting invitations (giấy mời họp) with Accept/Decline in every mail client."""


@invite.command("create")
@click.option("--title", required=True)
@click.option("--start", "start", required=True, metavar="'YYYY-MM-DD HH:MM'")
@click.option("--end", "end", required=True, metavar="'YYYY-MM-DD HH:MM'")
@click.option("--location", default="")
@click.option("--organizer", required=True, metavar="ADDRESS", help="On whose behalf it goes out.")
@click.option("--to", "to", multiple=True, required=True, metavar="RECIPIENT",
              help="An address, group:NAME or agency:CODE (repeat).")
@click.option("--chair", metavar="ADDRESS", help="Who chairs (chủ trì).")
@click.option("--agenda", default="", help="Nội dung.")
@click.option("--attach", "attach", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--online-url", default="")
@click.option("--bridge", "bridges", multiple=True, help="A bridge point (điểm cầu); repeat.")
@click.option("--number", default="", help="The Giấy mời's number, e.g. 45/GM-UBND.")
@signer_options
@click.option("--weekly-until", type=click.DateTime(["%Y-%m-%d"]), help="Repeat weekly until this date.")
@click.option("--skip", "skip", multiple=True, type=click.DateTime(["%Y-%m-%d"]),
              help="A date of the series on which there is no meeting; repeat.")
@output_option
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def create(obj: Context, title: str, start: str, end: str, location: str, organizer: str, to: tuple[str, ...],
           chair: str | None, agenda: str, attach: tuple[Path, ...], online_url: str, bridges: tuple[str, ...],
           weekly_until: object, skip: tuple[object, ...], output: Path | None, as_json: bool, number: str,
           signer_authority: str, signer_title: str, signer_name: str) -> None:
    """Invite attendees to a meeting; prints the new meeting's id."""
    request = InviteRequest(
        title=title, start=parse_when(start), end=parse_when(end), organizer=organizer, to=to, location=location,
        chair=chair, agenda=agenda, attachments=attach, online_url=online_url, bridges=bridges,
        weekly_until=weekly_until.date() if weekly_until else None,  # type: ignore[attr-defined]
        skip=tuple(d.date() for d in skip),  # type: ignore[attr-defined]
        number=number, signer=signer_from(signer_authority, signer_title, signer_name),
    )
    meeting = obj.app.meetings().create(request, output)
    if as_json:
        emit_json({"id": None if output else meeting.id, "uid": meeting.uid,
                   **({"preview": str(output)} if output else {})})
    elif output:
        click.echo(f"preview written to {output}; nothing was saved or queued")
    else:
        click.echo(meeting.id)


@invite.command("update")
@click.argument("meeting_id", type=int)
@click.option("--occurrence", type=click.DateTime(["%Y-%m-%d"]), help="Change only this date of a series.")
@click.option("--title")
@click.option("--start")
@click.option("--end")
@click.option("--location")
@click.option("--agenda")
@click.option("--to", "to", multiple=True, help="Replace the attendees (removed ones get a cancellation).")
@click.option("--chair", help="A new chair (chủ trì).")
@click.option("--online-url")
@click.option("--bridge", "bridges", multiple=True, help="Replace the bridge points (điểm cầu).")
@output_option
@click.pass_obj
def update(obj: Context, meeting_id: int, occurrence: object, title: str | None, start: str | None,
           end: str | None, location: str | None, agenda: str | None, to: tuple[str, ...], chair: str | None,
           online_url: str | None, bridges: tuple[str, ...], output: Path | None) -> None:
    """Change a meeting (same UID, higher SEQUENCE), for the series or one occurrence."""
    changes = Changes(title=title, start=parse_when(start) if start else None, end=parse_when(end) if end else None,
                      location=location, agenda=agenda, to=to or None, chair=chair, online_url=online_url,
                      bridges=bridges or None)
    day: date | None = occurrence.date() if occurrence else None  # type: ignore[attr-defined]
    meeting = obj.app.meetings().update(meeting_id, changes, day, output)
    if output:
        click.echo(f"preview written to {output}; meeting {meeting_id} was not changed")
    else:
        click.echo(f"meeting {meeting.id} updated (sequence {meeting.sequence})")


@invite.command("cancel")
@click.argument("meeting_id", type=int)
@click.option("--occurrence", type=click.DateTime(["%Y-%m-%d"]), help="Cancel only this date of a series.")
@output_option
@click.pass_obj
def cancel(obj: Context, meeting_id: int, occurrence: object, output: Path | None) -> None:
    """Cancel a meeting, or one occurrence of a series."""
    day: date | None = occurrence.date() if occurrence else None  # type: ignore[attr-defined]
    meeting = obj.app.meetings().cancel(meeting_id, day, output)
    if output:
        click.echo(f"preview written to {output}; meeting {meeting_id} was not cancelled")
    else:
        click.echo(f"meeting {meeting.id} cancelled" + (f" on {day}" if day else ""))


@click.group()
def meeting() -> None:
    """Meetings: who is invited, who answered, whether the invitation arrived."""


@meeting.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_command(obj: Context, as_json: bool) -> None:
    """Meetings, newest first."""
    meetings = list_meetings(obj.app.engine)
    if as_json:
        emit_json(meetings)
        return
    emit_table(["Số", f"Bắt đầu ({words.ZONE_NOTE})", "Tên cuộc họp", "Địa điểm", "Trạng thái"],
               [(m["id"], words.local_time(m["start"]), m["title"], m["location"], words.state(m["status"]))
                for m in meetings])


@meeting.command("show")
@click.argument("meeting_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def show(obj: Context, meeting_id: int, as_json: bool) -> None:
    """Attendees with their answers and the delivery of the invitation, grouped by agency."""
    view = show_meeting(obj.app.engine, meeting_id)
    if as_json:
        emit_json(view)
        return
    click.echo(f"{view['id']}  {view['title']}  {words.local_time(view['start'])} ({words.ZONE_NOTE})  "
               f"{words.state(view['status'])}")
    rows = sorted(view["attendees"], key=lambda a: (a["agency"], a["email"]))
    emit_table(["Đơn vị", "Email", "Họ và tên", "Vai trò", "Trả lời", "Gửi thư"],
               [(a["agency"], a["email"], a["name"], words.role(a["role"]),
                 words.answer(a["answer"]) + (f' (đã trả lời "{words.answer(a["earlier_time_answer"])}" cho giờ cũ)'
                                              if a["earlier_time_answer"] else ""), words.state(a["delivery"]))
                for a in rows if a["invited"]])
    for agency, counts in sorted(view["by_agency"].items()):
        click.echo(f"{agency}: " + ", ".join(f"{words.answer(k)} {v}" for k, v in sorted(counts.items())))
