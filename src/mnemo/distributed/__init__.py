"""Distributed indexing: many repositories on a Ray cluster into one shared PostgreSQL.

The per-file work is the pipeline's own `FileIndexer`, run inside one Ray actor per worker
process (the model loaded once, its own database connection); the driver here only scans,
locks, schedules batches of files and sums the `FileOutcome`s that come back. Files stay one
transaction each, so a lost worker or Ctrl-C loses nothing committed and a re-run continues
from the content hashes.

Ray is an optional extra (`pip install 'mnemo[ray]'`): only `driver.py` imports it, lazily,
and says how to install it when it is missing. `manifest.py` and `checkout.py` need no Ray.
"""
