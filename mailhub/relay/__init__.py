"""Acceptance (Postfix's cleanup): recipient decisions, header checks and stamps, and the intake
that screens a message once and writes it to the queue."""
