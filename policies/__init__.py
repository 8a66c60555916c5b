"""Content policies: pure functions from a parsed message to a verdict.

Knows nothing of SMTP, the database or the CLI. Filled in by the confidentiality-gate issue.
"""
