"""SMTP listeners (aiosmtpd): submission and inbound."""
