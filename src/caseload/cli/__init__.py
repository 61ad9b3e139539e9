"""The caseload command line: thin commands over the register, the trial and the plan."""
