"""Who uses email: activity folded into daily aggregates, and the share per agency and level."""
