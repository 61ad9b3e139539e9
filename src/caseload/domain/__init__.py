"""The job centre's concepts and rules, in its own words. No I/O, no frameworks."""
