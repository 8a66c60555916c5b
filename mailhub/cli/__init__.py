"""The ``mailhub`` command line."""
