"""Mail mailhub composes: meeting invitations, weekly schedules and notices, written with their
records and their queued message in one transaction."""
