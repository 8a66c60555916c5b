"""The six-monthly usage report (``mailhub report usage``): figures, one document model, three renderings."""
