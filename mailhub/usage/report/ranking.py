"""The annual emulation ranking (thi đua): the agencies under the province, each bloc (sở, ban,
ngành; xã, phường) ranked on published criteria with published weights.

Criteria: the usage share (the mean of the year's monthly shares, from the daily aggregates), the
response rate to invitations (attendees of the agency's subtree who answered), and the share of
accounts not dormant (a sign of use in the last 90 days). An agency that received no invitation is
scored on the other criteria, their weights rescaled. Equal scores are broken by usage share, then
response rate, then active share; agencies still equal share a rank."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from mailhub.store.meeting_models import Meeting, MeetingAnswer, MeetingAttendee
from mailhub.store.models import ActivityDaily
from mailhub.timeutil import LOCAL
from mailhub.usage.report.figures import DORMANT_DAYS
from mailhub.usage.stats import percent, usage

DEFAULT_WEIGHTS = {"usage": 50.0, "response": 30.0, "active": 20.0}
LABELS = {"usage": "Tỷ lệ cán bộ sử dụng thư điện tử (bình quân các tháng có số liệu)",
          "response": "Tỷ lệ trả lời giấy mời họp",
          "active": f"Tỷ lệ tài khoản có sử dụng trong {DORMANT_DAYS} ngày"}
TIE_RULE = ("Bằng điểm thì xét lần lượt tỷ lệ sử dụng, tỷ lệ trả lời giấy mời, tỷ lệ tài khoản có sử dụng; "
            "vẫn bằng nhau thì đồng hạng.")


class WeightsError(ValueError):
    """Weights that are not name=number pairs of the known criteria."""


def parse_weights(value: str | None) -> dict[str, float]:
    if not value:
        return dict(DEFAULT_WEIGHTS)
    weights: dict[str, float] = {}
    for item in value.split(","):
        name, _, number = item.partition("=")
        if name.strip() not in DEFAULT_WEIGHTS:
            raise WeightsError(f"--weights: unknown criterion {name.strip()!r} (use {', '.join(DEFAULT_WEIGHTS)})")
        try:
            weights[name.strip()] = float(number)
        except ValueError:
            raise WeightsError(f"--weights: {item.strip()!r} is not name=number") from None
    if any(w < 0 for w in weights.values()) or not sum(weights.values()):
        raise WeightsError("--weights: weights are zero or more, and not all zero")
    return {name: weights.get(name, 0.0) for name in DEFAULT_WEIGHTS}


@dataclass(frozen=True)
class RankedAgency:
    rank: int
    code: str
    name: str
    officials: int
    usage_share: float
    response_rate: float | None  # None: no invitation this year
    active_share: float
    score: float
    note: str = ""


@dataclass(frozen=True)
class Ranking:
    year: int
    as_of: date
    weights: dict[str, float]
    criteria: dict[str, str]
    tie_rule: str
    blocs: dict[str, tuple[RankedAgency, ...]]  # agency kind -> ranked agencies


def _utc(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), LOCAL).astimezone(UTC)


def _monthly_shares(engine: Engine, year: int, as_of: date) -> dict[str, list[float]]:
    """Each month's share, from the first month the province has figures for (before it, nothing was
    measured: those months would count as months nobody used email)."""
    with Session(engine) as session:
        measured_from = session.exec(select(func.min(ActivityDaily.day))).one()
    shares: dict[str, list[float]] = {}
    for month in range(1, 13):
        first = date(year, month, 1)
        if first > as_of:
            break
        if measured_from is None or first < measured_from.replace(day=1):
            continue
        last = min(as_of, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1))
        for agency in usage(engine, root=None, window_days=(last - first).days + 1, as_of=last).agencies:
            if agency.depth == 1 and agency.officials:
                shares.setdefault(agency.code, []).append(agency.share)
    return shares


def _responses(engine: Engine, year: int, owner: dict[str, str]) -> dict[str, tuple[int, int]]:
    """Per agency under the root: (attendees invited, attendees who answered) for the year's meetings."""
    with Session(engine) as session:
        meetings = list(session.exec(select(Meeting.id).where(col(Meeting.created_at) >= _utc(date(year, 1, 1)),
                                                              col(Meeting.created_at) < _utc(date(year + 1, 1, 1)))))
        if not meetings:
            return {}
        invited = session.exec(select(MeetingAttendee.meeting_id, MeetingAttendee.email, MeetingAttendee.agency_code)
                               .where(col(MeetingAttendee.meeting_id).in_(meetings))).all()
        answered = {(m, e.lower()) for m, e in session.exec(
            select(MeetingAnswer.meeting_id, MeetingAnswer.email)
            .where(col(MeetingAnswer.meeting_id).in_(meetings), MeetingAnswer.answer != "needs-action"))}
    counts: dict[str, tuple[int, int]] = {}
    for meeting_id, email, agency_code in {(m, e.lower(), a) for m, e, a in invited}:
        top = owner.get(agency_code.casefold())
        if top is not None:
            asked, replied = counts.get(top, (0, 0))
            counts[top] = (asked + 1, replied + ((meeting_id, email) in answered))
    return counts


def rank(engine: Engine, year: int, *, today: date, weights: dict[str, float],
         parents: dict[str, str | None]) -> Ranking:
    """``parents`` maps every agency code to its parent's: it finds the agency under the root that an
    invitation's attendee belongs to."""
    as_of = min(date(year, 12, 31), today)
    dormant = usage(engine, root=None, window_days=DORMANT_DAYS, as_of=as_of)
    tops = [a for a in dormant.agencies if a.depth == 1 and a.officials]
    owner = {code.casefold(): _top(code, parents) for code in parents}
    monthly = _monthly_shares(engine, year, as_of)
    responses = _responses(engine, year, {k: v for k, v in owner.items() if v})
    blocs: dict[str, list[RankedAgency]] = {}
    for agency in tops:
        shares = monthly.get(agency.code, [0.0])
        values = {"usage": round(sum(shares) / len(shares), 1), "active": agency.share}
        asked, replied = responses.get(agency.code, (0, 0))
        if asked:
            values["response"] = percent(replied, asked)
        weight = sum(weights[name] for name in values)
        score = round(sum(weights[name] * value for name, value in values.items()) / weight, 2) if weight else 0.0
        blocs.setdefault(agency.kind, []).append(RankedAgency(
            0, agency.code, agency.name, agency.officials, values["usage"], values.get("response"), values["active"],
            score, "" if asked else "không có giấy mời: tính trên các tiêu chí còn lại"))
    return Ranking(year, as_of, weights, {name: LABELS[name] for name in DEFAULT_WEIGHTS}, TIE_RULE,
                   {kind: _ranked(rows) for kind, rows in sorted(blocs.items())})


def _top(code: str, parents: dict[str, str | None]) -> str:
    """The agency right under the root that ``code`` belongs to ("" for the root itself)."""
    chain = [code]
    while parents.get(chain[-1]) and len(chain) < 64:
        chain.append(parents[chain[-1]] or "")
    return chain[-2] if len(chain) >= 2 else ""


def _ranked(rows: list[RankedAgency]) -> tuple[RankedAgency, ...]:
    def order(row: RankedAgency) -> tuple[float, float, float, float]:
        return (row.score, row.usage_share, row.response_rate or 0.0, row.active_share)

    ordered = sorted(rows, key=lambda row: (tuple(-v for v in order(row)), row.code))
    out: list[RankedAgency] = []
    for position, row in enumerate(ordered, start=1):
        tied = out and order(out[-1]) == order(row)
        same_score = out and out[-1].score == row.score and not tied
        note = row.note
        if tied:
            note = "; ".join(n for n in (note, "đồng hạng") if n)
        elif same_score:
            note = "; ".join(n for n in (note, f"bằng điểm {out[-1].code}, xếp sau theo tiêu chí phụ") if n)
        out.append(RankedAgency(out[-1].rank if tied else position, row.code, row.name, row.officials,
                                row.usage_share, row.response_rate, row.active_share, row.score, note))
    return tuple(out)
