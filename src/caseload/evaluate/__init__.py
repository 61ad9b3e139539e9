"""The evaluate face: randomisation, the frozen cohort, estimators and the report."""
