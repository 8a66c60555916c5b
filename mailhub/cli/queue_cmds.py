"""``mailhub queue …`` and ``mailhub trace``."""

from __future__ import annotations

import dataclasses
from typing import Any

import click

from mailhub.cli import words
from mailhub.cli.main import Context
from mailhub.cli.output import emit_json, emit_table
from mailhub.queue.admin import MessageView, QueueAdmin

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def admin(obj: Context) -> QueueAdmin:
    return QueueAdmin(obj.app.engine)


def message_json(view: MessageView) -> dict[str, Any]:
    return {**dataclasses.asdict(view), "state": view.state}


@click.group()
def queue() -> None:
    """Inspect and act on the mail queue."""


@queue.command("list")
@click.option("--all", "include_done", is_flag=True, help="Include finished messages.")
@json_option
@click.pass_obj
def list_queue(obj: Context, include_done: bool, as_json: bool) -> None:
    """Messages waiting for delivery (or all, with --all)."""
    views = admin(obj).messages(include_done=include_done)
    if as_json:
        emit_json([message_json(v) for v in views])
        return
    emit_table(["Mã hàng đợi", "Trạng thái", f"Nhận lúc ({words.ZONE_NOTE})", "Người gửi", "Cỡ (byte)",
                "Người nhận", "Lỗi gần nhất"],
               [(v.queue_id, words.state(v.state), words.local_time(v.created_at), v.sender, v.size, len(v.recipients),
                 next((r.last_text for r in v.recipients if r.last_text and r.state != "delivered"), ""))
                for v in views])
    click.echo(f"{len(views)} message(s)", err=True)


@queue.command("show")
@click.argument("queue_id")
@json_option
@click.pass_obj
def show(obj: Context, queue_id: str, as_json: bool) -> None:
    """One message and each recipient's state."""
    view = admin(obj).show(queue_id)
    if as_json:
        emit_json(message_json(view))
        return
    click.echo(f"{view.queue_id}  {words.state(view.state)}  từ {view.sender}  {view.size} byte  "
               f"Message-ID {view.message_id}")
    emit_table(["Người nhận", "Trạng thái", "Số lần thử", f"Thử lại lúc ({words.ZONE_NOTE})", "Trả lời gần nhất"],
               [(r.address, words.state(r.state), r.attempts, words.local_time(r.next_attempt_at, seconds=True),
                 f"{r.last_code or ''} {r.last_text}".strip()) for r in view.recipients])


@queue.command("retry")
@click.argument("queue_id", required=False)
@click.pass_obj
def retry(obj: Context, queue_id: str | None) -> None:
    """Try deferred recipients now (one message, or every one)."""
    click.echo(f"{admin(obj).retry(queue_id)} recipient(s) due now")


@queue.command("hold")
@click.argument("queue_id")
@click.pass_obj
def hold(obj: Context, queue_id: str) -> None:
    """Keep a message from being delivered until released."""
    admin(obj).hold(queue_id)
    click.echo(f"{queue_id} held")


@queue.command("release")
@click.argument("queue_id")
@click.pass_obj
def release(obj: Context, queue_id: str) -> None:
    """Let a held message be delivered."""
    admin(obj).release(queue_id)
    click.echo(f"{queue_id} released")


@queue.command("delete")
@click.argument("queue_id")
@click.pass_obj
def delete(obj: Context, queue_id: str) -> None:
    """Delete a message; undelivered recipients are logged as deleted."""
    count = admin(obj).delete(queue_id)
    click.echo(f"{queue_id} deleted ({count} undelivered recipient(s))")


@click.command()
@click.argument("needle", metavar="ADDRESS|MESSAGE-ID|QUEUE-ID")
@json_option
@click.pass_obj
def trace(obj: Context, needle: str, as_json: bool) -> None:
    """The whole delivery history of an address, a Message-ID or a queue id."""
    rows = admin(obj).trace(needle)
    if as_json:
        emit_json([dataclasses.asdict(r) for r in rows])
        return
    if not rows:
        click.echo(f"nothing in the delivery log for {needle}", err=True)
        raise SystemExit(1)
    emit_table([f"Lúc ({words.ZONE_NOTE})", "Mã hàng đợi", "Người nhận", "Kết quả", "Mã", "Đường đi", "Trả lời",
                "Chữ ký", "TLS"],
               [(words.local_time(r.at, seconds=True), r.queue_id, r.recipient, words.state(r.outcome), r.code or "",
                 r.route, r.text, r.signed, r.tls)
                for r in rows])
