"""Service tables (queue, delivery log, activity, audit). The relay issue fills them in."""
