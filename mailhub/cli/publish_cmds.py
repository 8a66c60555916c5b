"""``mailhub schedule publish`` and ``mailhub notice send|show``."""

from __future__ import annotations

from pathlib import Path

import click

from mailhub.cli import words
from mailhub.cli.letter_options import signer_from, signer_options
from mailhub.cli.main import Context
from mailhub.cli.output import emit_json, emit_table
from mailhub.dispatch.notices import NoticeRequest

output_option = click.option("--output", type=click.Path(path_type=Path),
                             help="Write what would be sent and queue nothing.")


@click.group()
def schedule() -> None:
    """The leadership's weekly work schedule (lịch công tác tuần)."""


@schedule.command("publish")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--week", required=True, metavar="YYYY-Www", help="ISO week, e.g. 2026-W49.")
@click.option("--to", "to", multiple=True, required=True, metavar="RECIPIENT",
              help="An address, group:NAME or agency:CODE (repeat).")
@click.option("--organizer", metavar="ADDRESS", help="On whose behalf (default: the province's own mailbox).")
@click.option("--number", default="", help="The schedule's document number, e.g. 12/LCT-VP.")
@signer_options
@output_option
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def publish(obj: Context, file: Path, week: str, to: tuple[str, ...], organizer: str | None, output: Path | None,
            as_json: bool, number: str, signer_authority: str, signer_title: str, signer_name: str) -> None:
    """Send the week as one email (HTML table + calendar); a revised file sends only what changed, and
    each removed item goes in its own cancellation, which clients apply to the calendar.

    \b
    FILE: CSV or XLSX. Columns: Ngày, Thời gian (or Giờ, Bắt đầu), Kết thúc, Buổi, Lãnh đạo, Nội dung,
    Địa điểm, Thành phần (English headers too). Dates: 07/12/2026, 07/12, Thứ Hai 07/12; a date
    written once holds for the rows below. Times: 08:00, 8h30, 14 giờ 30, 7h30 - 9h00, Sáng, Chiều,
    Cả ngày ('Chiều 2h' is 14:00). Unreadable rows are listed with their line; nothing is sent."""
    result = obj.app.schedules().publish(file, week, to, organizer, output, number=number,
                                         signer=signer_from(signer_authority, signer_title, signer_name))
    if as_json:
        emit_json({**result.__dict__, "sent": result.sent_anything})
        return
    if not result.sent_anything:
        click.echo(f"{result.week}: nothing changed since the last publication; nothing sent")
        return
    where = f"written to {', '.join(result.written)}" if result.written else f"queued as {result.queue_id}"
    click.echo(f"{result.week}: {result.new} new, {result.changed} changed, {result.removed} removed, "
               f"{result.unchanged} unchanged; {where}")


@click.group()
def notice() -> None:
    """Notices (thông báo) with their documents."""


@notice.command("send")
@click.option("--subject", required=True)
@click.option("--body", default="", help="Text of the notice (or --body-file).")
@click.option("--body-file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--markdown", is_flag=True, help="The body is Markdown; it is rendered to HTML.")
@click.option("--to", "to", multiple=True, required=True, metavar="RECIPIENT")
@click.option("--from", "--sender", "sender", default="", metavar="ADDRESS",
              help="The office or official sending it (default: the province's own mailbox).")
@click.option("--number", default="", help="Document number, e.g. 45/TB-UBND.")
@click.option("--urgency", default="", help="Khẩn, Thượng khẩn or Hỏa tốc (also khan, thuong-khan, hoa-toc).")
@click.option("--attach", "attach", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@signer_options
@output_option
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def send(obj: Context, subject: str, body: str, body_file: Path | None, markdown: bool, to: tuple[str, ...],
         sender: str, number: str, urgency: str | None, attach: tuple[Path, ...], output: Path | None,
         as_json: bool, signer_authority: str, signer_title: str, signer_name: str) -> None:
    """Send a notice; prints its id."""
    text = body_file.read_text(encoding="utf-8") if body_file else body
    request = NoticeRequest(subject=subject, body=text, to=to, sender=sender, number=number, urgency=urgency or "",
                            markdown=markdown or bool(body_file and body_file.suffix.lower() == ".md"),
                            attachments=attach, signer=signer_from(signer_authority, signer_title, signer_name))
    sent = obj.app.notices().send(request, output)
    if as_json:
        emit_json({"id": None if output else sent.id, **({"preview": str(output)} if output else {})})
    elif output:
        click.echo(f"preview written to {output}; nothing was saved or queued")
    else:
        click.echo(sent.id)


@notice.command("list")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_notices(obj: Context, limit: int, as_json: bool) -> None:
    """The latest notices, newest first."""
    notices = obj.app.notices().latest(limit)
    if as_json:
        emit_json(notices)
        return
    emit_table(["Id", "Số", "Trích yếu", f"Gửi lúc ({words.ZONE_NOTE})", "Người nhận"],
               [(n["id"], n["number"], n["subject"], words.local_time(n["created_at"]), n["recipients"])
                for n in notices])


@notice.command("show")
@click.argument("notice_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def show(obj: Context, notice_id: int, as_json: bool) -> None:
    """A notice and the delivery status to each recipient."""
    view = obj.app.notices().show(notice_id)
    if as_json:
        emit_json(view)
        return
    click.echo(f"{view['id']}  {view['number']}  {view['subject']}")
    emit_table(["Đơn vị", "Email", "Họ và tên", "Gửi thư"],
               [(r["agency"], r["email"], r["name"], words.state(r["delivery"])) for r in view["recipients"]])
