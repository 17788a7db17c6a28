package switchyard.risk_test

import rego.v1

import data.switchyard.risk

# Summaries in the shape of src/simulate/compare.ts.
slo(status, value) := {"metric": "error_rate", "objective": "<= 0.01", "status": status, "value": value}

side(error_status, fallback) := {
	"requests": 1000,
	"successRate": 0.99,
	"fallbackRate": 0.1,
	"fallbackSuccessRate": fallback,
	"p95LatencyMs": 500,
	"http429": 0,
	"breakerTrips": 0,
	"monthlyCostUsd": 1000,
	"slos": {"error-rate": slo(error_status, 0.005)},
}

ok := side("pass", 0.97)

simulation(baseline, n1) := {"durationMs": 120000, "seed": 1, "scenarios": [
	object.union({"name": "baseline", "kind": "baseline", "target": null}, baseline),
	object.union({"name": "provider-down:openai", "kind": "provider-down", "target": "openai"}, n1),
]}

findings(sim) := {[f.id, f.level] | some f in (risk.deny | risk.warn) with input as {"plan": {}, "base": {}, "diff": null, "simulation": sim}}

test_nothing_when_not_simulated if {
	d := risk.deny with input as {"plan": {}, "base": null, "diff": null, "simulation": null}
	count({f | some f in d; startswith(f.id, "simulated-")}) == 0
}

test_no_finding_when_nothing_moves if {
	findings(simulation({"base": ok, "head": ok}, {"base": ok, "head": ok})) == set()
}

test_n1_slo_newly_missed_is_denied if {
	sim := simulation({"base": ok, "head": ok}, {"base": ok, "head": side("fail", 0.97)})
	findings(sim) == {["simulated-n1-slo-miss", "high"]}
	some f in risk.deny with input as {"plan": {}, "base": {}, "diff": null, "simulation": sim}
	f.path == ["slos", "targets", "error-rate"]
	contains(f.msg, `provider "openai" down`)
}

test_n1_slo_already_missed_on_base_is_not_the_change if {
	findings(simulation({"base": ok, "head": ok}, {"base": side("fail", 0.97), "head": side("fail", 0.97)})) == set()
}

test_n1_slo_missed_for_a_new_provider_is_denied if {
	findings(simulation({"base": ok, "head": ok}, {"base": null, "head": side("fail", 0.97)})) == {["simulated-n1-slo-miss", "high"]}
}

test_n1_not_applicable_on_base_counts_as_met if {
	findings(simulation({"base": ok, "head": ok}, {"base": side("n/a", 0.97), "head": side("fail", 0.97)})) == {["simulated-n1-slo-miss", "high"]}
}

test_baseline_miss_is_reported_once_not_per_provider if {
	sim := simulation({"base": ok, "head": side("fail", 0.97)}, {"base": ok, "head": side("fail", 0.97)})
	findings(sim) == {["simulated-slo-miss", "high"]}
}

test_baseline_miss_the_base_had_too_is_not_the_change if {
	findings(simulation({"base": side("fail", 0.97), "head": side("fail", 0.97)}, {"base": ok, "head": ok})) == set()
}

test_fallback_drop_above_5_points_warns if {
	findings(simulation({"base": ok, "head": ok}, {"base": side("pass", 0.97), "head": side("pass", 0.9199)})) == {["simulated-n1-fallback-drop", "medium"]}
}

test_fallback_drop_of_5_points_is_fine if {
	findings(simulation({"base": ok, "head": ok}, {"base": side("pass", 0.97), "head": side("pass", 0.92)})) == set()
	# 0.9 - 0.85 is 0.05000000000000004 in floating point: still 5 points.
	findings(simulation({"base": ok, "head": ok}, {"base": side("pass", 0.9), "head": side("pass", 0.85)})) == set()
}

test_fallback_drop_of_5_01_points_warns if {
	findings(simulation({"base": ok, "head": ok}, {"base": side("pass", 0.9), "head": side("pass", 0.8499)})) == {["simulated-n1-fallback-drop", "medium"]}
}

test_fallback_rise_is_fine if {
	findings(simulation({"base": ok, "head": ok}, {"base": side("pass", 0.5), "head": side("pass", 0.99)})) == set()
}

test_fallback_drop_needs_both_rates if {
	findings(simulation({"base": ok, "head": ok}, {"base": side("pass", null), "head": side("pass", 0.1)})) == set()
}
