"""Used by ``make run``: give the demo's first department head a known password and print how to send."""

from __future__ import annotations

from directory import NotFound
from mailhub.app import App
from mailhub.config import load_settings

DEMO_PASSWORD = "demo-matkhau-2025"


def main() -> None:
    settings = load_settings()
    app = App.build(settings)
    try:
        officials = [o for o in app.directory.officials("VPUBND") if o.is_head]
        if not officials:
            raise NotFound("the demo province has no head of VPUBND")
        login = app.directory.set_password(officials[0].email, DEMO_PASSWORD)
        sub_host, sub_port = settings.listen_submission
        print(
            f"\nDemo account: {login} / {DEMO_PASSWORD}\n"
            f"Send a first message (swaks, from Debian's package), to every department head:\n"
            f"  swaks --server {sub_host}:{sub_port} --tls --auth-user {login} --auth-password {DEMO_PASSWORD} \\\n"
            f"        --from {login} --to lanhdaoso@{settings.service_domain} --header 'Subject: Thử nghiệm'\n"
            f"What the mailbox server received lands in {settings.home}/sink; see the queue with\n"
            f"  .venv/bin/mailhub queue list --all   and   .venv/bin/mailhub trace {login}\n"
        )
    finally:
        app.close()


if __name__ == "__main__":
    main()
