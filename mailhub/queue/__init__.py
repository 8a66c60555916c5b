"""The durable queue (``core``: enqueue, claims with leases, outcomes) and the operators' views and
actions on it (``admin``)."""
