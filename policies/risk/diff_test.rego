package switchyard.risk_test

import rego.v1

import data.switchyard.risk

# A hand-written diff in the shape of src/diff/types.ts.
unchanged_group := {
	"status": "changed",
	"providerShare": {"before": {"openai": 100}, "after": {"openai": 100}},
	"fallbacks": {"before": ["chat-azure"], "after": ["chat-azure"], "added": [], "removed": [], "reordered": false},
	"circuitBreaker": {"loosened": [], "tightened": []},
	"retries": {"loosened": [], "tightened": []},
}

quiet_diff := {
	"groups": {"chat": unchanged_group},
	"tenants": {"app": {"status": "changed", "rpm": {"before": 100, "after": 150}, "tpm": {"before": 1000, "after": 1000}}},
	"cost": {"monthlyBeforeUsd": 1000, "monthlyAfterUsd": 1200, "changePercent": 20},
}

risks(diff) := r if {
	r := risk.risk with input as {"plan": {}, "base": {}, "diff": diff}
}

risk_ids(diff) := {f.id | some f in risks(diff)}

test_quiet_diff_has_no_risk if {
	risk_ids(quiet_diff) == set()
}

test_no_diff_has_no_risk if {
	r := risk.risk with input as {"plan": {}, "base": null, "diff": null}
	r == set()
}

test_traffic_shift_over_20_points if {
	diff := object.union(quiet_diff, {"groups": {"chat": {"providerShare": {"after": {"openai": 70, "anthropic": 30}}}}})
	some f in risks(diff)
	f.id == "traffic-shift"
	f.level == "medium"
	contains(f.msg, "30 points")
}

test_traffic_shift_of_20_points_is_fine if {
	diff := object.union(quiet_diff, {"groups": {"chat": {"providerShare": {"after": {"openai": 80, "anthropic": 20}}}}})
	risk_ids(diff) == set()
}

test_fallback_removed_is_high if {
	diff := object.union(quiet_diff, {"groups": {"chat": {"fallbacks": {"after": [], "removed": ["chat-azure"]}}}})
	some f in risks(diff)
	f.id == "fallback-removed"
	f.level == "high"
}

test_breaker_loosened_is_high if {
	diff := object.union(quiet_diff, {"groups": {"chat": {"circuitBreaker": {"loosened": ["errorRateThreshold"]}}}})
	risk_ids(diff) == {"breaker-loosened"}
}

test_retries_loosened_is_high if {
	diff := object.union(quiet_diff, {"groups": {"chat": {"retries": {"loosened": ["count"]}}}})
	risk_ids(diff) == {"retries-loosened"}
}

test_tenant_limit_raised_more_than_2x if {
	diff := object.union(quiet_diff, {"tenants": {"app": {"rpm": {"after": 250}}}})
	risk_ids(diff) == {"tenant-limit-raised"}
}

test_tenant_limit_removed_counts_as_raised if {
	diff := object.union(quiet_diff, {"tenants": {"app": {"tpm": {"after": null}}}})
	risk_ids(diff) == {"tenant-limit-raised"}
}

test_cost_up_more_than_half_is_high if {
	diff := object.union(quiet_diff, {"cost": {"monthlyAfterUsd": 1600, "changePercent": 60}})
	some f in risks(diff)
	f.id == "cost-increase"
	f.level == "high"
}
