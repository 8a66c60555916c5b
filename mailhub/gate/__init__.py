"""The confidentiality gate as the service runs it: the policies chain in isolated worker
processes with a deadline and a memory cap (``policy_gate`` is what intake and the listeners call;
``workers`` and ``process`` are its pool)."""
