"""Case review (sagsgennemgang): a seeded, stratified sample of citizens' cases, read blinded
by two reviewers each against a rubric, and the results: scores per arm or department,
their agreement between reviewers, and their relation to what the register measures."""
