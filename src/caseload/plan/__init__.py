"""The plan face: a trial before it starts. ``diagnose`` simulates a planned two-arm trial
with a binary outcome through the evaluate face's own estimators and reports its
diagnosands (power, bias, RMSE, interval coverage, type-S error, the minimum detectable
effect by simulation). docs/plan.md describes the method."""
