"""The ``mailhub`` command line."""

import gc

# A command builds its objects once and exits (or, for `serve`, keeps them): the cyclic collector
# running every 700 allocations costs a tenth of a command's start and of a large notice's
# composition. It still runs, every 50,000.
gc.set_threshold(50_000, 20, 50)
