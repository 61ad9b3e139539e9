"""The serve face: the JSON API (FastAPI on Starlette, run by uvicorn) over the same
services the command line calls. Routes stay thin: who may (``guard``), one service call,
the audit row, the answer; no SQL and no rules here."""
