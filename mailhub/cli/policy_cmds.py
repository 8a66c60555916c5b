"""``mailhub policy check`` (no sending, no database) and ``mailhub audit list``."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import click

from mailhub.cli.main import Context
from mailhub.cli.output import emit_json, emit_table
from mailhub.gate.policy_gate import PolicyGate, Unchecked

_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:[ \t]")


def looks_like_message(path: Path, data: bytes) -> bool:
    if path.suffix.lower() == ".eml":
        return True
    head = data[:4096].replace(b"\r\n", b"\n")
    return bool(_HEADER_LINE.match(head)) and b"\n\n" in head and not head.startswith((b"%PDF", b"PK", b"{\\rtf"))


@click.group()
def policy() -> None:
    """Content policies (the confidentiality gate)."""


@policy.command("check")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_obj
def check(obj: Context, files: tuple[Path, ...], as_json: bool) -> None:
    """Check .eml messages or bare documents without sending anything.

    Each file is checked as the server checks mail: in a worker process, within
    MAILHUB_POLICY_TIMEOUT_SECONDS and MAILHUB_POLICY_MEMORY_MB. A file whose check overruns or whose
    worker dies is reported as an error and does not pass.

    Exit status: 0 when every file passes, 1 when any is stopped or could not be checked, 2 on usage errors.
    """
    gate = PolicyGate.from_settings(obj.settings)
    try:
        contents = [(path, data, None if looks_like_message(path, data) else path.name)
                    for path, data in ((path, path.read_bytes()) for path in files)]
        futures = [gate.submit(data, document=document) for _, data, document in contents]  # side by side
        stopped = False
        for (path, data, document), future in zip(contents, futures, strict=True):
            result = gate.result(future.result(), data, document)
            stopped = stopped or isinstance(result, Unchecked) or result.blocked
            if isinstance(result, Unchecked):
                if as_json:
                    emit_json({"path": str(path), "verdict": "error", "reasons": [
                        {"rule": result.rule, "where": document or "message", "evidence": result.evidence}]})
                else:
                    click.echo(f"ERROR  {path}: not checked, {result.rule}: {result.evidence}")
            elif as_json:
                emit_json({"path": str(path), "verdict": result.action,
                           "reasons": [dataclasses.asdict(f) for f in result.findings]})
            else:
                click.echo(f"{result.action.upper()}  {path}")
                for finding in result.findings:
                    click.echo(f"  {finding.rule} in {finding.where}: {finding.evidence}")
    finally:
        gate.close()
    raise SystemExit(1 if stopped else 0)


@click.group()
def audit() -> None:
    """The audit log of refused messages (metadata only: never their content)."""


@audit.command("list")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def audit_list(obj: Context, limit: int, as_json: bool) -> None:
    """Blocked events, newest first."""
    from sqlmodel import Session, col, select

    from mailhub.store.models import AuditEvent

    with Session(obj.app.engine) as session:
        rows = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(limit)).all()
    events = [{"at": r.at.isoformat(), "event": r.event, "sender": r.sender, "recipients": r.recipients.split(","),
               "client_address": r.client_address, "sha256": r.sha256, "rule": r.rule, "location": r.location}
              for r in rows]
    if as_json:
        emit_json(events)
        return
    emit_table(["Time", "Sender", "Recipients", "Rule", "Where", "SHA-256"],
               [(e["at"][:19], e["sender"], ", ".join(e["recipients"])[:60], e["rule"], e["location"],
                 str(e["sha256"])[:16]) for e in events])
