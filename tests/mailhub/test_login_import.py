"""Mailbox-server logins imported as activity: every form counted once, on the province's day."""

from __future__ import annotations

import gzip
import json
import os
import random
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from mailhub.app import App
from mailhub.config import Settings
from mailhub.store.models import ActivityDaily, ActivityEvent
from mailhub.usage.login_import import import_logins
from mailhub.usage.login_log import LogForms
from mailhub.usage.stats import aggregate, usage
from tests.mailhub.conftest import Invoke, seed_province

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


@pytest.fixture
def app(sqlite_url: str, tmp_path: Path) -> App:
    built = App.build(Settings(home=tmp_path / "h", database_url=sqlite_url))
    seed_province(built, tmp_path)  # BN > STTTT (vinhnq, vinhnq2), SYT (huongttt)
    yield built
    built.close()


def write_log(tmp_path: Path, name: str, lines: list[str], modified: datetime | None = None) -> Path:
    path = tmp_path / name
    path.write_bytes("".join(line + "\n" for line in lines).encode())
    if modified is not None:
        os.utime(path, (modified.timestamp(), modified.timestamp()))
    return path


def logins_per_day(app: App) -> dict[tuple[date, str], int]:
    with Session(app.engine) as session:
        return {(row.day, row.address): row.count for row in session.exec(select(ActivityDaily)).all()}


def stored(app: App) -> list[tuple[datetime, str]]:
    with Session(app.engine) as session:
        return sorted((e.at.replace(tzinfo=UTC), e.address) for e in session.exec(select(ActivityEvent)).all())


def test_debian_mail_log_across_new_year_takes_its_years_from_the_file(app: App, tmp_path: Path) -> None:
    log = write_log(tmp_path, "mail.log", [
        "Dec 31 23:59:58 mail dovecot: imap-login: Login: user=<vinhnq@bacninh.gov.vn>, method=PLAIN, "
        "rip=10.0.0.5, lip=10.0.0.1, mpid=4121, TLS, session=<abc>",
        "Jan  1 00:00:05 mail dovecot: pop3-login: Login: user=<huongttt>, method=PLAIN, rip=10.0.0.6",
        "Jan  1 00:00:09 mail dovecot: imap-login: Aborted login (auth failed, 1 attempts in 2 secs): "
        "user=<vinhnq2@bacninh.gov.vn>, method=PLAIN",
        "Jan  2 08:00:00 mail postfix/submission/smtpd[2231]: 4F3A21C0: client=pc12[10.0.0.7], "
        "sasl_method=PLAIN, sasl_username=vinhnq2@bacninh.gov.vn",
    ], modified=datetime(2026, 1, 2, 8, 0, 1, tzinfo=UTC))

    report = import_logins(app.engine, app.directory.address_book(), log, now=NOW)

    assert (report.lines_read, report.logins_matched, report.stored) == (4, 3, 3)
    assert report.by_source == {"dovecot": 2, "postfix-sasl": 1} and report.year_of_last_line == 2026
    # Syslog times are the province's (UTC+7): 23:59:58 on 31 December 2025 is 16:59:58 UTC.
    assert stored(app) == [(datetime(2025, 12, 31, 16, 59, 58, tzinfo=UTC), "vinhnq@bacninh.gov.vn"),
                           (datetime(2025, 12, 31, 17, 0, 5, tzinfo=UTC), "huongttt@bacninh.gov.vn"),
                           (datetime(2026, 1, 2, 1, 0, tzinfo=UTC), "vinhnq2@bacninh.gov.vn")]
    assert logins_per_day(app) == {(date(2025, 12, 31), "vinhnq@bacninh.gov.vn"): 1,
                                   (date(2026, 1, 1), "huongttt@bacninh.gov.vn"): 1,
                                   (date(2026, 1, 2), "vinhnq2@bacninh.gov.vn"): 1}


def test_year_option_and_a_copied_file_whose_date_is_later(app: App, tmp_path: Path) -> None:
    lines = ["Oct 28 09:00:00 mail dovecot: imap-login: Login: user=<vinhnq@bacninh.gov.vn>, method=PLAIN"]
    copied = write_log(tmp_path, "old.log", lines, modified=datetime(2026, 3, 1, tzinfo=UTC))
    assert import_logins(app.engine, app.directory.address_book(), copied, now=NOW).year_of_last_line == 2025
    import_logins(app.engine, app.directory.address_book(), copied, now=NOW, year=2024)
    assert [at.year for at, _ in stored(app)] == [2024, 2025]


def test_iso_dated_past_logins_are_counted_after_the_days_were_aggregated(app: App, tmp_path: Path) -> None:
    aggregate(app.engine, NOW)
    with Session(app.engine) as session:  # something already folded today: the old code resumed from here
        session.add(ActivityEvent(at=NOW, address="vinhnq2@bacninh.gov.vn", kind="submission"))
        session.commit()
    aggregate(app.engine, NOW)
    log = write_log(tmp_path, "rfc3339.log", [
        "2026-11-10T23:30:00.123456+07:00 mail dovecot[881]: imap-login: Login: user=<vinhnq@bacninh.gov.vn>",
        "<30>1 2026-11-10T17:30:00Z mail dovecot 881 - - imap-login: Login: user=<huongttt@bacninh.gov.vn>",
        "2026-11-10T16:59:59+0000 mail dovecot[881]: imap-login: Login: user=<huongttt@bacninh.gov.vn>",
        "2026-11-10 10:00:00 imap-login: Info: Login: user=<vinhnq@bacninh.gov.vn>, method=PLAIN",  # log_path
    ])

    report = import_logins(app.engine, app.directory.address_book(), log, now=NOW)

    assert report.stored == 4
    # 17:30Z is 00:30 on the 11th in the province; 16:59:59Z is still the 10th.
    assert logins_per_day(app) == {(date(2026, 11, 10), "vinhnq@bacninh.gov.vn"): 2,
                                   (date(2026, 11, 11), "huongttt@bacninh.gov.vn"): 1,
                                   (date(2026, 11, 10), "huongttt@bacninh.gov.vn"): 1,
                                   (date(2026, 11, 30), "vinhnq2@bacninh.gov.vn"): 1}
    shares = {a.code: a.active for a in usage(app.engine, root=None, window_days=30, as_of=date(2026, 11, 30))
              .agencies}
    assert shares == {"BN": 3, "STTTT": 2, "SYT": 1}


def test_reimport_and_an_overlapping_rotated_log_change_nothing(app: App, tmp_path: Path) -> None:
    first = [f"Nov {day:2d} 08:00:0{n} mail dovecot: imap-login: Login: user=<{who}@bacninh.gov.vn>, session=<{n}>"
             for day in (20, 21, 22) for n, who in enumerate(("vinhnq", "huongttt"))]
    rotated = write_log(tmp_path, "mail.log.1", first, modified=datetime(2026, 11, 22, 9, tzinfo=UTC))
    book = app.directory.address_book()
    assert import_logins(app.engine, book, rotated, now=NOW).stored == 6
    before = (stored(app), logins_per_day(app))

    again = import_logins(app.engine, book, rotated, now=NOW)
    assert (again.stored, again.already_imported) == (0, 6)
    assert (stored(app), logins_per_day(app)) == before

    packed = tmp_path / "mail.log.2.gz"
    packed.write_bytes(gzip.compress(rotated.read_bytes()))
    os.utime(packed, (rotated.stat().st_mtime, rotated.stat().st_mtime))
    assert import_logins(app.engine, book, packed, now=NOW).stored == 0

    damaged = tmp_path / "mail.log.3.gz"
    damaged.write_bytes(packed.read_bytes()[:-30])  # a copy cut short
    cut = import_logins(app.engine, book, damaged, now=NOW, year=2026)
    assert cut.stored == 0 and "damaged" in cut.malformed_examples[-1].reason

    newer = "Nov 23 08:00:00 mail dovecot: imap-login: Login: user=<vinhnq2@bacninh.gov.vn>, session=<x>"
    current = write_log(tmp_path, "mail.log", [*first[-2:], newer], modified=datetime(2026, 11, 23, 9, tzinfo=UTC))
    overlap = import_logins(app.engine, book, current, now=NOW)
    assert (overlap.stored, overlap.already_imported) == (1, 2)
    assert len(stored(app)) == 7


def test_zimbra_audit_log_counts_successes_only(app: App, tmp_path: Path) -> None:
    log = write_log(tmp_path, "audit.log", [
        "2026-11-25 08:01:02,345 INFO  [qtp1-99:https://mail/service/soap/AuthRequest] [name=vinhnq@bacninh.gov.vn;"
        "oip=10.0.0.8;ua=ZimbraWebClient;] security - cmd=Auth; account=vinhnq@bacninh.gov.vn; protocol=soap;",
        "2026-11-25 08:02:00,001 WARN  [qtp1-12] [ip=10.0.0.9;] security - cmd=Auth; account=huongttt@bacninh.gov.vn;"
        " protocol=soap; error=authentication failed for [huongttt@bacninh.gov.vn], invalid password;",
        "2026-11-25 08:03:00,001 INFO  [ImapServer-7] [name=huongttt;ip=10.0.0.9;] security - cmd=Auth; "
        "account=huongttt; protocol=imap;",
    ])
    report = import_logins(app.engine, app.directory.address_book(), log, now=NOW)
    assert report.by_source == {"zimbra": 2}
    assert [address for _, address in stored(app)] == ["vinhnq@bacninh.gov.vn", "huongttt@bacninh.gov.vn"]


def test_other_servers_through_a_named_regex(app: App, tmp_path: Path) -> None:
    log = write_log(tmp_path, "exchange.csv", [
        "28/11/2026 14:05:00,LOGON-OK,VinhNQ2",
        "28/11/2026 14:06:00,LOGON-FAIL,huongttt",
        "2026-11-28T07:07:00Z,LOGON-OK,someone@gmail.com",
    ])
    forms = LogForms.custom(r"^(?P<time>[^,]+),LOGON-OK,(?P<user>[^,\s]+)")
    report = import_logins(app.engine, app.directory.address_book(), log, now=NOW, forms=forms)
    assert (report.logins_matched, report.unknown_addresses) == (2, 1)
    assert report.unknown_examples == {"someone@gmail.com": 1}
    assert stored(app)[0] == (datetime(2026, 11, 28, 7, 5, tzinfo=UTC), "vinhnq2@bacninh.gov.vn")


def test_a_windows_export_in_utf16_with_crlf(app: App, tmp_path: Path) -> None:
    path = tmp_path / "export.log"
    path.write_bytes("2026-11-29 08:00:00 mail dovecot: imap-login: Login: user=<vinhnq@bacninh.gov.vn>\r\n"
                     .encode("utf-16"))
    report = import_logins(app.engine, app.directory.address_book(), path, now=NOW)
    assert (report.lines_read, report.stored) == (1, 1)


def test_progress_goes_through_both_passes_of_a_long_log(app: App, tmp_path: Path) -> None:
    line = "Nov 29 08:00:00 mail postfix/smtpd[1]: connect from unknown[10.0.0.1]"
    log = write_log(tmp_path, "long.log", [line] * 20_000, modified=NOW)
    steps: list[int] = []
    import_logins(app.engine, app.directory.address_book(), log, now=NOW, progress=steps.append)
    assert sum(steps) == 2 * log.stat().st_size and len(steps) > 4 and min(steps) > 0


def test_an_old_address_counts_for_its_official(app: App, tmp_path: Path) -> None:
    app.directory.add_alias("vinh.nq@bacninh.gov.vn", "vinhnq@bacninh.gov.vn")
    log = write_log(tmp_path, "m.log", ["2026-11-29 08:00:00 mail dovecot: imap-login: Login: "
                                        "user=<Vinh.NQ@BacNinh.gov.vn>, method=PLAIN"])
    report = import_logins(app.engine, app.directory.address_book(), log, now=NOW)
    assert (report.officials_seen, report.unknown_addresses) == (1, 0)
    assert stored(app)[0][1] == "vinhnq@bacninh.gov.vn"


def test_hostile_log_is_counted_and_reported_never_a_traceback(invoke: Invoke, app: App, tmp_path: Path) -> None:
    path = tmp_path / "junk.log"
    path.write_bytes(
        b"\x00\xff\xfe binary \x89PNG\r\n"
        + b"Nov 29 08:00:00 mail dovecot: imap-login: Login: user=<" + b"A" * 200_000 + b">\n"
        + b"Feb 30 08:00:00 mail dovecot: imap-login: Login: user=<vinhnq@bacninh.gov.vn>\n"
        + b"mail dovecot: imap-login: Login: user=<vinhnq@bacninh.gov.vn>\n"
        + b"Nov 29 08:00:00 mail dovecot: imap-login: Login: user=<a b@@x>\n"
        + b"Nov 29 08:00:00 mail dovecot: imap-login: Login: user=<>\n"
        + f"{datetime.now(UTC).year + 1}-06-01T08:00:00+07:00 mail dovecot: imap-login: Login: "
          "user=<vinhnq@bacninh.gov.vn>\n".encode()
        + b"Nov 29 08:00:00 mail dovecot: imap-login: Login: user=<huongttt@bacninh.gov.vn>"  # no final newline
    )
    os.utime(path, (NOW.timestamp(), NOW.timestamp()))
    env = {"MAILHUB_DATABASE_URL": app.engine.url.render_as_string(hide_password=False)}
    result = invoke("activity", "import-log", str(path), "--json", env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["lines_read"], report["logins_matched"], report["stored"]) == (8, 1, 1)
    reasons = {bad["line"]: bad["reason"] for bad in report["malformed_examples"]}
    assert set(reasons) == {2, 3, 4, 5, 6, 7} and report["malformed_lines"] == 6
    assert "longer than" in reasons[2] and "no such date" in reasons[3] and "without a time" in reasons[4]
    assert "not an address" in reasons[5] and "future" in reasons[7]

    text = invoke("activity", "import-log", str(path), env=env).stdout
    assert "8 lines read, 1 logins matched (dovecot 1), 0 new, 1 already imported" in text
    assert "line 3: no such date" in text


def test_random_bytes_and_broken_encodings_never_raise(app: App, tmp_path: Path) -> None:
    rng = random.Random(15)
    pieces = [b"Oct 28 09:00:00 mail dovecot: imap-login: Login: user=<", b">", b"\n", b"\r\n", b"\x00",
              b"\xff\xfe", b"\x1f\x8b", b"2026-02-30T25:61:00+07:00 ", b"Feb 29 ", b"sasl_username=", b"@",
              b"cmd=Auth; account=", b";", b"<34>1 ", b"user=<>", b"\xd8\x00", b"9999-12-31T23:59:59Z "]
    book = app.directory.address_book()
    broken = tmp_path / "broken-utf16.log"  # a byte order mark, then a lone surrogate
    broken.write_bytes(b"\xff\xfe" + "Oct 28 09:00:00 x\n".encode("utf-16-le") + b"\x00\xd8a\x00\n\x00")
    assert import_logins(app.engine, book, broken, now=NOW).lines_read == 2
    for number in range(40):
        path = tmp_path / f"junk{number}.log"
        path.write_bytes(b"".join(rng.choice(pieces) if rng.random() < 0.7 else rng.randbytes(rng.randrange(1, 30))
                                  for _ in range(rng.randrange(1, 60))))
        os.utime(path, (rng.randrange(0, 4_000_000_000),) * 2)
        report = import_logins(app.engine, book, path, now=NOW, year=rng.choice([None, 2026]))
        assert report.lines_read >= report.logins_matched


def test_bad_arguments_are_one_line_errors(invoke: Invoke, app: App, tmp_path: Path) -> None:
    env = {"MAILHUB_DATABASE_URL": app.engine.url.render_as_string(hide_password=False)}
    log = write_log(tmp_path, "x.log", ["nothing to see"])
    for args, words in ((["--format", "(unclosed"], "regular expression"),
                        (["--format", r"(?P<login>\S+)"], "(?P<user>"),
                        (["--zone", "Mars/Olympus"], "time zone")):
        result = invoke("activity", "import-log", str(log), *args, env=env)
        assert result.exit_code == 1 and words in result.stderr and len(result.stderr.splitlines()) == 1
    result = invoke("activity", "import-log", str(log), env=env)
    assert result.exit_code == 0 and "no login line found" in result.stdout
