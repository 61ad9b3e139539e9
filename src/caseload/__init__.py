"""caseload: capped caseloads, close contact and randomised proof for job centres."""

import os

# Polars allocates through its own jemalloc; let it hand freed pages back at once, so the
# peak memory of a big build is the data alive, not every intermediate frame (must be set
# before polars is first imported).
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")

__version__ = "0.1.0"
