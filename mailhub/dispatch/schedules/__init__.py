"""Weekly work schedules of the leadership (lịch công tác tuần)."""
