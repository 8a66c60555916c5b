"""The words a clerk reads in tables: answers, roles, delivery states, times in the province's zone.
``--json`` keeps the stable English keys and values; only what is printed for people is translated."""

from __future__ import annotations

from datetime import datetime

from mailhub.timeutil import LOCAL, aware

ANSWERS = {"accepted": "Tham dự", "declined": "Không tham dự", "tentative": "Chưa chắc chắn",
           "delegated": "Cử người khác dự", "needs-action": "Chưa trả lời"}
ROLES = {"CHAIR": "Chủ trì", "REQ-PARTICIPANT": "Thành phần", "OPT-PARTICIPANT": "Mời dự (không bắt buộc)",
         "NON-PARTICIPANT": "Để biết"}
STATES = {"queued": "Chờ gửi", "active": "Đang gửi", "deferred": "Chưa gửi được, sẽ gửi lại",
          "delivered": "Đã chuyển", "bounced": "Không chuyển được", "deleted": "Đã xóa", "expired": "Quá hạn",
          "held": "Tạm giữ", "done": "Xong", "not sent": "Chưa gửi", "confirmed": "Đã mời", "cancelled": "Đã hủy",
          "failed": "Không chuyển được", "relayed": "Đã chuyển tiếp"}
AGENCY_KINDS = {"province": "Tỉnh", "department": "Sở, ban, ngành", "district": "Huyện", "commune": "Xã",
                "unit": "Đơn vị"}
ACTIVITY = {"submission": "gửi thư", "itip-reply": "trả lời giấy mời", "mdn": "xác nhận đã đọc",
            "login": "đăng nhập hộp thư"}
ZONE_NOTE = "giờ Việt Nam, GMT+7"


def answer(value: str) -> str:
    return ANSWERS.get(value, value)


def role(value: str) -> str:
    return ROLES.get(value, value)


def state(value: str) -> str:
    return STATES.get(value, value)


def agency_kind(value: str) -> str:
    return AGENCY_KINDS.get(value, value)


def activity(value: str) -> str:
    return ACTIVITY.get(value, value)


def local_time(value: datetime | str | None, *, seconds: bool = False) -> str:
    """'07/12/2026 08:00' in Asia/Ho_Chi_Minh (the tables say so in their heading)."""
    if value is None or value == "":
        return ""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return aware(when).astimezone(LOCAL).strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")
