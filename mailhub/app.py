"""The composition root: every long-lived object is built here, nowhere at import time."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, inspect

from directory import Directory, DirectoryOptions
from mailhub import db
from mailhub.config import Settings
from mailhub.errors import MailhubError


@dataclass
class App:
    settings: Settings
    engine: Engine
    directory: Directory
    notes: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, settings: Settings, *, check_schema: bool = True) -> App:
        engine = db.make_engine(settings.effective_database_url)
        app = cls(
            settings=settings,
            engine=engine,
            directory=Directory(engine, DirectoryOptions(address_pattern=settings.address_pattern)),
        )
        if check_schema:
            app.ensure_schema()
        return app

    def ensure_schema(self) -> None:
        """A brand-new database is initialised; an outdated one is an error, never silently changed."""
        tables = inspect(self.engine).get_table_names()
        if not tables:
            db.upgrade(self.engine)
            self.notes.append("initialised a new database")
            return
        current, head = db.current_revision(self.engine), db.head_revision()
        if current != head:
            raise MailhubError(
                f"the database schema is at {current or 'no revision'}, this mailhub needs {head}: "
                "run `mailhub db upgrade`"
            )

    def close(self) -> None:
        self.engine.dispose()
