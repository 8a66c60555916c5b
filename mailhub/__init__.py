"""mailhub: SMTP relay, directory and calendar distribution for provincial government mail."""

__version__ = "0.1.0"
