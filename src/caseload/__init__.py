"""caseload: capped caseloads, close contact and randomised proof for job centres."""

__version__ = "0.1.0"
