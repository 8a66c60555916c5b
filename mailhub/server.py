"""``mailhub serve``: both listeners, and the delivery manager in a process of its own or in this one."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import socket
import ssl
import sys
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiosmtpd.smtp import TLSSetupException
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from mailhub import eventloop
from mailhub.app import App, RelayService
from mailhub.config import parse_host_port
from mailhub.db import sole_server
from mailhub.delivery.deliverer import remote_size_limit
from mailhub.delivery.process import READY, DeliveryProcess, watch_parent
from mailhub.delivery.routing import MxResolver
from mailhub.errors import MailhubError
from mailhub.maintenance import LeaderLock, purge
from mailhub.parts import CommandProcess
from mailhub.queue.link import serve_link
from mailhub.smtp.listener import start_listener
from mailhub.timeutil import LOCAL
from mailhub.usage.stats import aggregate

log = logging.getLogger("mailhub")

SHUTDOWN_GRACE_SECONDS = 6  # deliveries in flight get this long; SIGTERM must end the server within 10 s
M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES = -3, 128 * 1024  # glibc's mallopt parameter, and its initial value
IO_THREADS = 32  # the loop's default executor: database commits and directory look-ups, never content checks


def _quiet_client_faults(record: logging.LogRecord) -> bool:
    """A client that breaks its own TLS handshake or drops the line is worth one line, not a traceback."""
    if record.exc_info and record.exc_info[1] is not None:
        error = record.exc_info[1]
        if isinstance(error, ConnectionError | TLSSetupException | ssl.SSLError):
            record.msg = f"{record.getMessage()}: {type(error).__name__}: {error}"
            record.args = ()
            record.exc_info = None
            record.levelno, record.levelname = logging.INFO, "INFO"
            return logging.getLogger("mail.log").isEnabledFor(logging.INFO)
    return True


def _large_blocks_returned() -> None:
    """glibc puts a large block in a mapping of its own, returned to the system when freed, but after each
    free it raises that threshold to the freed block's size (up to 32 MB): after one large message,
    the next ones come from the heap, which keeps its peak. A fixed threshold (mallopt, which also
    ends the adjusting) keeps ten 25 MB messages in flight at about ten times 25 MB, not half as much
    again. Elsewhere than glibc: nothing to do."""
    import contextlib
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)


def run(app: App, *, config_file: Path | None = None, part: str = "all", link_fd: int | None = None) -> None:
    """``mailhub serve``: the listeners, with delivery in a process of its own (MAILHUB_DELIVERY_PROCESS,
    the default) or in this one; ``part="delivery"`` is that process."""
    _large_blocks_returned()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-command chatter
    logging.getLogger("mail.log").addFilter(_quiet_client_faults)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line a minute per job otherwise
    loop = app.settings.event_loop
    try:
        if part == "delivery":
            eventloop.run(deliver(app, link_fd), loop)
        else:
            delivery = DeliveryProcess(app.settings.home, config_file) if app.settings.delivery_process else None
            commands = CommandProcess(config_file) if app.settings.command_server else None
            eventloop.run(serve(app, delivery_process=delivery, commands=commands), loop)
    finally:
        app.close()


async def serve(app: App, *, stop: asyncio.Event | None = None, resolver: MxResolver | None = None,
                ready: Callable[[tuple[str, int], tuple[str, int]], None] | None = None,
                delivery_process: DeliveryProcess | None = None, commands: CommandProcess | None = None) -> None:
    """Run until SIGTERM/SIGINT (or ``stop`` is set): accept, queue, deliver (here, or in
    ``delivery_process``), and run this home's commands in ``commands``; then stop gracefully. One
    server per SQLite database."""
    with sole_server(app.engine):
        await _serve(app, stop=stop, resolver=resolver, ready=ready, delivery_process=delivery_process,
                     commands=commands)


async def _serve(app: App, *, stop: asyncio.Event | None, resolver: MxResolver | None,
                 ready: Callable[[tuple[str, int], tuple[str, int]], None] | None,
                 delivery_process: DeliveryProcess | None, commands: CommandProcess | None) -> None:
    _io_executor()
    service = app.relay(resolver=resolver)
    settings = app.settings
    size_limit = await _size_limit(app, service.hostname)
    sub_host, sub_port = settings.listen_submission
    in_host, in_port = settings.listen_inbound
    submission = await start_listener(
        service.submission_handler, host=sub_host, port=sub_port, hostname=service.hostname,
        tls_context=service.tls_context, data_size_limit=size_limit, limiter=service.limiter)
    inbound = await start_listener(
        service.inbound_handler, host=in_host, port=in_port, hostname=service.hostname,
        tls_context=service.tls_context, data_size_limit=size_limit, limiter=service.limiter)
    if app.single_node:  # after the ports are ours: a server that cannot listen touches nothing
        released = await asyncio.to_thread(service.queue.release_claims)
        if released:
            log.info("handed back %d recipients claimed before the last stop", released)
    starting = None
    if delivery_process is not None:  # starts beside the gate's workers; ready before our ready line
        service.intake.on_enqueued = delivery_process.wake
        starting = asyncio.create_task(delivery_process.start())
    # not awaited before the ready line: until it is up (under a second), commands start Python anew
    commands_starting = asyncio.create_task(_start_commands(commands))
    start_gate = getattr(service.gate, "start", None)
    if start_gate is not None:  # the content checkers, each lane's ready before the ready line
        await start_gate()
    if starting is not None:
        await starting
        service.queue.link = delivery_process  # the listeners' messages are written by the delivery process
    if stop is None:  # before the ready line, so a SIGTERM right after it is a graceful stop
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    sub_bound = submission.sockets[0].getsockname()
    in_bound = inbound.sockets[0].getsockname()
    print(f"mailhub ready submission={sub_host}:{sub_bound[1]} inbound={in_host}:{in_bound[1]}",
          file=sys.stderr, flush=True)
    if ready is not None:
        ready((sub_host, sub_bound[1]), (in_host, in_bound[1]))
    gc.freeze()  # what start-up built lives as long as the server: the collector no longer walks it

    if delivery_process is None:
        delivery = asyncio.create_task(service.manager.run())
        service.wake_listener.start(asyncio.get_running_loop())  # commands that queue mail wake delivery
    else:
        delivery = asyncio.create_task(delivery_process.watch(service.queue.release_claims))
    jobs = start_jobs(app, service)
    await stop.wait()
    jobs.stop()

    log.info("stopping: no new connections; finishing deliveries in flight")
    submission.close()
    inbound.close()
    if commands is not None:
        commands_starting.cancel()  # stopped while it was starting: nothing more to wait for
        await asyncio.gather(commands_starting, return_exceptions=True)
        await commands.stop(0)  # commands already running finish in processes of their own
    if delivery_process is None:
        await _stop_delivering(service, delivery)
    else:
        await delivery_process.stop(SHUTDOWN_GRACE_SECONDS)
        delivery.cancel()
    released = await _close(service)
    log.info("stopped; %d recipients handed back to the queue", released)


async def _start_commands(commands: CommandProcess | None) -> None:
    """The command server, if asked for; without it commands start Python anew, which is slower, not wrong."""
    if commands is None:
        return
    try:
        await commands.start()
    except (MailhubError, OSError) as exc:
        log.error("%s; commands will run in processes of their own", exc)
        return
    log.info("commands for this home run in the command process")


async def _stop_delivering(service: RelayService, delivery: asyncio.Task[None]) -> None:
    """Deliveries in flight get the grace time; what is not sent by then is cancelled."""
    service.manager.stop()
    service.wake_listener.close(asyncio.get_running_loop())
    try:
        await asyncio.wait_for(delivery, timeout=SHUTDOWN_GRACE_SECONDS)
    except TimeoutError:
        delivery.cancel()


async def _close(service: RelayService) -> int:
    """Kill the content checkers (checks in flight are answered "try later") and hand this node's
    claims back; how many there were."""
    close_gate = getattr(service.gate, "close", None)
    if close_gate is not None:
        await asyncio.to_thread(close_gate)
    return await asyncio.to_thread(service.queue.release_claims, service.node)


def _io_executor() -> None:
    """The loop's default executor: database commits and directory look-ups, never content checks."""
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=IO_THREADS, thread_name_prefix="mailhub-io"))


async def deliver(app: App, link_fd: int | None = None) -> None:
    """The delivery process (``mailhub serve --part delivery``, started by ``serve``): claim, send and
    record, as a node of its own, until SIGTERM or until the parent is gone; then hand back what is left.
    ``link_fd``: the socket on which the listeners hand it the messages they accept, to write."""
    link_socket = None if link_fd is None else _link_socket(link_fd)  # before anything starts
    loop = asyncio.get_running_loop()
    _io_executor()
    service = app.relay()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent decides
    watch_parent(loop, stop)
    service.wake_listener.start(loop)
    delivery = asyncio.create_task(service.manager.run())
    link = None if link_socket is None else asyncio.create_task(
        serve_link(link_socket, service.queue.enqueue_soon, service.manager.arrived))
    sys.stdout.buffer.write(READY + b" " + service.node.encode("ascii", "replace") + b"\n")
    sys.stdout.flush()
    os.dup2(2, 1)  # the parent reads no more of that pipe: anything printed later goes to the log
    gc.freeze()
    await stop.wait()
    if link is not None:  # the listeners write themselves from now on; what they sent is answered first
        link.cancel()
        await asyncio.gather(link, return_exceptions=True)
    await _stop_delivering(service, delivery)
    released = await _close(service)
    log.info("delivery stopped; %d recipients handed back to the queue", released)


def _link_socket(fd: int) -> socket.socket:
    try:
        return socket.socket(fileno=fd)
    except OSError as exc:
        raise MailhubError(f"--link-fd {fd} is not a socket serve handed on ({exc.strerror or exc}): it is "
                           "serve's own, for the delivery process it starts") from None


@dataclass
class Jobs:
    scheduler: AsyncIOScheduler
    leader: LeaderLock

    def stop(self) -> None:
        self.scheduler.shutdown(wait=False)
        self.leader.release()


def _guarded(job: Callable[[], Awaitable[None]], failure: str) -> Callable[[], Awaitable[None]]:
    """A scheduled job that logs its failure in one line and is quiet when the server stops under it."""
    async def run() -> None:
        try:
            await job()
        except asyncio.CancelledError:
            return  # the server is stopping; what the job did is committed or not at all, and it runs again
        except Exception:
            log.exception(failure)

    return run


def start_jobs(app: App, service: RelayService) -> Jobs:
    """Scheduled work (APScheduler): meeting reminders. State lives in the database, so a restart
    neither loses nor repeats a reminder."""
    meetings = app.meetings(service.intake)
    settings = app.settings
    lead = timedelta(minutes=settings.reminder_lead_minutes)
    leader = LeaderLock(app.engine)

    async def reminders() -> None:
        if not await asyncio.to_thread(leader.held):
            return  # another node runs the scheduled jobs
        sent = await asyncio.to_thread(meetings.send_reminders, lead)
        if sent:
            log.info("sent %d meeting reminders", sent)

    async def retention() -> None:
        if await asyncio.to_thread(leader.held):
            result = await asyncio.to_thread(purge, app.engine, app.clock(), settings.retention_body_days,
                                             settings.retention_log_days)
            log.info("retention: purged %d bodies and %d log rows", result.bodies, result.log_rows)

    async def activity() -> None:
        if await asyncio.to_thread(leader.held):
            await asyncio.to_thread(aggregate, app.engine, app.clock())

    async def usage_mail() -> None:
        if await asyncio.to_thread(leader.held):
            await asyncio.to_thread(send_usage_mail, app, service)

    scheduler = AsyncIOScheduler(timezone="Asia/Ho_Chi_Minh")
    scheduler.add_job(_guarded(reminders, "meeting reminders failed; next round in a minute"), "interval",
                      seconds=60, next_run_time=datetime.now(UTC), coalesce=True, max_instances=1,
                      id="meeting-reminders")
    scheduler.add_job(_guarded(retention, "retention purge failed; next round tomorrow"), "cron", hour=2,
                      minute=30, coalesce=True, max_instances=1, id="retention")
    scheduler.add_job(_guarded(activity, "activity aggregation failed; next round in an hour"), "interval",
                      hours=1, coalesce=True, max_instances=1, id="activity-daily")
    scheduler.add_job(_guarded(usage_mail, "the usage report or monthly digests failed; next round in an hour"),
                      "interval", hours=1, coalesce=True, max_instances=1, id="usage-mail")
    scheduler.start()
    return Jobs(scheduler, leader)


def send_usage_mail(app: App, service: RelayService) -> None:
    """The six-monthly report when due (MAILHUB_REPORT_TO) and, in a month's first days, the digests."""
    from mailhub.usage.mailings import ReportMailing, send_due_report, send_monthly_digests

    settings, now = app.settings, app.clock()
    notices = app.notices(service.intake)
    aggregate(app.engine, now)
    to = tuple(t.strip() for t in settings.report_to.split(",") if t.strip())
    send_due_report(app.engine, app.directory, notices, ReportMailing(
        to=to, days_before=settings.report_days_before, office=settings.report_office,
        abbreviation=settings.report_abbreviation, window_days=settings.activity_window_days), now)
    if settings.monthly_digest and now.astimezone(LOCAL).day <= 3:
        sent = send_monthly_digests(app.engine, app.directory, notices, now)
        if sent:
            log.info("sent %d monthly usage digests to agency heads", sent)


async def _size_limit(app: App, hostname: str) -> int:
    """Never accept more than the mailbox server would: its EHLO SIZE caps ours."""
    limit = app.settings.max_message_size
    if app.settings.smarthost:
        remote = await remote_size_limit(parse_host_port(app.settings.smarthost, 25), hostname)
        if remote is not None and remote < limit:
            log.info("the mailbox server accepts at most %d bytes; using that as the message size limit", remote)
            return remote
    return limit
