"""Signing what mailhub sends: DKIM keys (RSA-2048 and Ed25519, RFC 8463) kept under MAILHUB_HOME,
and the signer intake applies to every message it queues for a domain that has an active key."""
