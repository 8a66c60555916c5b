"""Persistence for the service: queue, delivery log, activity, audit."""
