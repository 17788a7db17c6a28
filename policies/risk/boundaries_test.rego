# Every risk rule at its boundaries and with each of its conditions taken
# away: a threshold is tested on both sides (the value the rule allows and
# the first value it flags), and for each rule one case where all of its
# conditions hold (it fires) next to cases where exactly one does not (it
# stays quiet). A rule whose condition is dropped or whose comparison slips
# by one (> to >=) fails here.
package switchyard.risk_boundaries_test

import rego.v1

import data.switchyard.risk

# A plan in the compiled shape that no rule flags; each test edits it.
plan := {
	"deployments": {
		"openai-gpt-4o": {"providerKind": "openai", "rpm": 1000},
		"azure-gpt-4o": {"providerKind": "azure_openai", "rpm": 500},
	},
	"groups": {
		"chat": {
			"workload": "interactive",
			"deployments": ["openai-gpt-4o"],
			"fallbacks": ["chat-azure"],
			"contextWindowFallbacks": [],
			"retries": {"count": 1, "backoff": {"initialMs": 200, "maxMs": 1000, "multiplier": 2}},
			"timeouts": {"requestMs": 600},
			"circuitBreaker": {"errorRateThreshold": 0.05},
		},
		"chat-azure": {
			"workload": "interactive",
			"deployments": ["azure-gpt-4o"],
			"fallbacks": ["chat"],
			"contextWindowFallbacks": [],
			"retries": {"count": 1, "backoff": {"initialMs": 200, "maxMs": 1000, "multiplier": 2}},
			"timeouts": {"requestMs": 600},
			"circuitBreaker": {"errorRateThreshold": 0.05},
		},
	},
	"providers": {"openai": {"apiKey": {"ref": "env:OPENAI_API_KEY", "scheme": "env", "name": "OPENAI_API_KEY"}}},
	"tenants": {"app": {
		"rpm": 100,
		"tpm": 10000,
		"allowedGroups": ["chat", "chat-azure"],
		"apiKeys": [{"ref": "env:APP_KEY", "scheme": "env", "name": "APP_KEY"}],
	}},
	"pools": {"pool-a": {"maxContext": 32768, "models": {"llama": {
		"id": "pool-a/llama",
		"maxModelLen": 32768,
		"capacity": {"gpuMemoryUtilization": 0.95, "fits": true, "kvGbPerGpu": 10},
	}}}},
	"batchProfiles": {"docs": {
		"providerKind": "openai",
		"completionWindowHours": 24,
		"dataClasses": ["pii"],
		"redaction": {"enabled": true, "rules": [{"name": "email"}]},
	}},
	"slos": {"targets": {"latency": {"metric": "interactive_latency_p95_ms", "objective": [{"op": "<", "value": 2000}]}}},
}

findings(p) := f if {
	f := {"deny": risk.deny, "warn": risk.warn} with input as {"plan": p, "base": null, "diff": null}
}

# The findings of one rule (by id) a plan raises, as {path, level}.
hits(p, id) := {[f.path, f.level] | some kind in ["deny", "warn"]; some f in findings(p)[kind]; f.id == id}

edit(e) := object.union(plan, e)

test_the_plan_is_clean if {
	f := findings(plan)
	f.deny == set()
	f.warn == set()
}

# --- breaker-threshold-too-high: errorRateThreshold > 0.05 ---------------

test_breaker_threshold_at_limit_is_allowed if {
	hits(edit({"groups": {"chat": {"circuitBreaker": {"errorRateThreshold": 0.05}}}}), "breaker-threshold-too-high") == set()
}

test_breaker_threshold_just_above_limit_is_denied if {
	hits(edit({"groups": {"chat": {"circuitBreaker": {"errorRateThreshold": 0.0501}}}}), "breaker-threshold-too-high") == {[["groups", "chat", "circuitBreaker", "errorRateThreshold"], "high"]}
}

# --- gpu-memory-utilization-too-high: gpuMemoryUtilization > 0.95 ---------

test_gpu_memory_utilization_at_limit_is_allowed if {
	hits(plan, "gpu-memory-utilization-too-high") == set()
}

test_gpu_memory_utilization_just_above_limit_is_denied if {
	p := edit({"pools": {"pool-a": {"models": {"llama": {"capacity": {"gpuMemoryUtilization": 0.9501}}}}}})
	hits(p, "gpu-memory-utilization-too-high") == {[["pools", "pool-a", "models", "llama", "capacity", "gpuMemoryUtilization"], "high"]}
}

# --- max-model-len-above-pool-context: maxModelLen > pool maxContext -------

test_max_model_len_equal_to_pool_context_is_allowed if {
	hits(plan, "max-model-len-above-pool-context") == set()
}

test_max_model_len_one_above_pool_context_is_denied if {
	p := edit({"pools": {"pool-a": {"models": {"llama": {"maxModelLen": 32769}}}}})
	hits(p, "max-model-len-above-pool-context") == {[["pools", "pool-a", "models", "llama", "maxModelLen"], "high"]}
}

# --- model-does-not-fit: not capacity.fits ---------------------------------

test_model_that_fits_is_allowed if {
	hits(plan, "model-does-not-fit") == set()
}

test_model_that_does_not_fit_is_critical if {
	p := edit({"pools": {"pool-a": {"models": {"llama": {"capacity": {"fits": false}}}}}})
	hits(p, "model-does-not-fit") == {[["pools", "pool-a", "models", "llama"], "critical"]}
}

# --- pii-without-redaction (off): "pii" in dataClasses, redaction off ------

test_pii_with_redaction_off_is_denied if {
	p := edit({"batchProfiles": {"docs": {"redaction": {"enabled": false}}}})
	hits(p, "pii-without-redaction") == {[["batchProfiles", "docs", "redaction", "enabled"], "critical"]}
}

test_redaction_off_without_pii_is_allowed if {
	p := edit({"batchProfiles": {"docs": {"dataClasses": ["internal"], "redaction": {"enabled": false}}}})
	hits(p, "pii-without-redaction") == set()
}

# --- pii-without-redaction (no rules): "pii", redaction on, no rules -------

test_pii_with_redaction_on_and_no_rules_is_denied if {
	p := edit({"batchProfiles": {"docs": {"redaction": {"rules": []}}}})
	hits(p, "pii-without-redaction") == {[["batchProfiles", "docs", "redaction", "rules"], "critical"]}
}

test_no_rules_without_pii_is_allowed if {
	p := edit({"batchProfiles": {"docs": {"dataClasses": ["internal"], "redaction": {"rules": []}}}})
	hits(p, "pii-without-redaction") == set()
}

test_one_redaction_rule_is_enough if {
	hits(plan, "pii-without-redaction") == set()
}

test_redaction_off_and_no_rules_is_reported_once_at_enabled if {
	p := edit({"batchProfiles": {"docs": {"redaction": {"enabled": false, "rules": []}}}})
	hits(p, "pii-without-redaction") == {[["batchProfiles", "docs", "redaction", "enabled"], "critical"]}
}

# --- completion-window-not-offered: window not among the provider's --------

test_offered_completion_windows_are_allowed if {
	hits(plan, "completion-window-not-offered") == set()
	hits(edit({"batchProfiles": {"docs": {"providerKind": "azure_openai"}}}), "completion-window-not-offered") == set()
}

test_completion_window_an_hour_either_side_is_denied if {
	every hours in [23, 25] {
		p := edit({"batchProfiles": {"docs": {"completionWindowHours": hours}}})
		hits(p, "completion-window-not-offered") == {[["batchProfiles", "docs", "completionWindowHours"], "high"]}
	}
}

test_provider_without_a_batch_api_offers_no_window if {
	p := edit({"batchProfiles": {"docs": {"providerKind": "vllm"}}})
	hits(p, "completion-window-not-offered") == {[["batchProfiles", "docs", "completionWindowHours"], "high"]}
}

# --- retry-budget-exceeds-latency-slo: interactive, worst case > objective --
# Worst case of chat: 2 attempts x requestMs + one 200 ms backoff.

test_retry_budget_equal_to_objective_is_allowed if {
	hits(edit({"groups": {"chat": {"timeouts": {"requestMs": 900}}}}), "retry-budget-exceeds-latency-slo") == set()
}

test_retry_budget_just_over_objective_warns if {
	p := edit({"groups": {"chat": {"timeouts": {"requestMs": 901}}}})
	hits(p, "retry-budget-exceeds-latency-slo") == {[["groups", "chat", "retries"], "medium"]}
}

test_retry_budget_of_a_batch_group_is_not_checked if {
	p := edit({"groups": {"chat": {"workload": "batch", "timeouts": {"requestMs": 901}}}})
	hits(p, "retry-budget-exceeds-latency-slo") == set()
}

test_retry_budget_without_retries_is_one_timeout if {
	hits(edit({"groups": {"chat": {"retries": {"count": 0}, "timeouts": {"requestMs": 2000}}}}), "retry-budget-exceeds-latency-slo") == set()
	hits(edit({"groups": {"chat": {"retries": {"count": 0}, "timeouts": {"requestMs": 2001}}}}), "retry-budget-exceeds-latency-slo") != set()
}

test_retry_budget_uses_the_policy_objective if {
	p := edit({
		"groups": {"chat": {"timeouts": {"requestMs": 1400}}},
		"slos": {"targets": {"latency": {"objective": [{"op": "<", "value": 3000}]}}},
	})
	hits(p, "retry-budget-exceeds-latency-slo") == set()
	q := object.union(p, {"groups": {"chat": {"timeouts": {"requestMs": 1401}}}})
	hits(q, "retry-budget-exceeds-latency-slo") != set()
}

test_retry_budget_uses_the_strictest_of_several_objectives if {
	p := edit({
		"groups": {"chat": {"timeouts": {"requestMs": 1000}}},
		"slos": {"targets": {"latency": {"objective": [{"op": "<", "value": 3000}, {"op": "<", "value": 2200}]}}},
	})
	hits(p, "retry-budget-exceeds-latency-slo") == set()
	q := object.union(p, {"groups": {"chat": {"timeouts": {"requestMs": 1001}}}})
	hits(q, "retry-budget-exceeds-latency-slo") != set()
}

test_retry_budget_defaults_to_2000ms_without_an_objective if {
	p := object.remove(plan, ["slos"])
	hits(object.union(p, {"groups": {"chat": {"timeouts": {"requestMs": 900}}}}), "retry-budget-exceeds-latency-slo") == set()
	hits(object.union(p, {"groups": {"chat": {"timeouts": {"requestMs": 901}}}}), "retry-budget-exceeds-latency-slo") != set()
}

# --- single-provider-exposure: interactive, one provider kind in the chain --

test_interactive_group_on_one_provider_warns if {
	hits(edit({"groups": {"chat": {"fallbacks": []}}}), "single-provider-exposure") == {[["groups", "chat", "fallbacks"], "high"]}
}

test_batch_group_on_one_provider_is_not_checked if {
	hits(edit({"groups": {"chat": {"workload": "batch", "fallbacks": []}}}), "single-provider-exposure") == set()
}

test_fallback_to_another_provider_is_enough if {
	hits(plan, "single-provider-exposure") == set()
}

test_fallback_within_one_provider_kind_still_warns if {
	# Two Azure groups: two deployments, one vendor.
	p := edit({"groups": {"chat": {"deployments": ["azure-gpt-4o"]}}})
	hits(p, "single-provider-exposure") == {[["groups", "chat", "fallbacks"], "high"], [["groups", "chat-azure", "fallbacks"], "high"]}
}

# --- tenant-without-limits: rpm or tpm null --------------------------------

test_tenant_without_rpm_or_tpm_warns_per_field if {
	hits(edit({"tenants": {"app": {"rpm": null}}}), "tenant-without-limits") == {[["tenants", "app", "rpm"], "medium"]}
	hits(edit({"tenants": {"app": {"tpm": null}}}), "tenant-without-limits") == {[["tenants", "app", "tpm"], "medium"]}
}

test_tenant_with_a_limit_of_one_is_limited if {
	hits(edit({"tenants": {"app": {"rpm": 1, "tpm": 1}}}), "tenant-without-limits") == set()
}

# --- tenant-rpm-over-capacity: sum of tenant rpm > sum of deployment rpm ----
# chat-azure serves 500 rpm (one deployment).

test_tenants_asking_exactly_the_group_capacity_are_fine if {
	hits(edit({"tenants": {"app": {"rpm": 500}}}), "tenant-rpm-over-capacity") == set()
}

test_tenants_asking_one_rpm_over_capacity_warn if {
	hits(edit({"tenants": {"app": {"rpm": 501}}}), "tenant-rpm-over-capacity") == {[["groups", "chat-azure"], "low"]}
}

test_tenant_rpm_is_summed_over_tenants if {
	two := {"ops": {"rpm": 200, "tpm": 1, "allowedGroups": ["chat-azure"], "apiKeys": []}}
	hits(edit({"tenants": object.union(two, {"app": {"rpm": 300}})}), "tenant-rpm-over-capacity") == set()
	hits(edit({"tenants": object.union(two, {"app": {"rpm": 301}})}), "tenant-rpm-over-capacity") == {[["groups", "chat-azure"], "low"]}
}

test_tenant_not_allowed_on_the_group_is_not_counted if {
	two := {"ops": {"rpm": 450, "tpm": 1, "allowedGroups": ["chat"], "apiKeys": []}}
	hits(edit({"tenants": two}), "tenant-rpm-over-capacity") == set()
}

test_tenant_without_rpm_is_not_counted if {
	two := {"ops": {"rpm": null, "tpm": 1, "allowedGroups": ["chat-azure"], "apiKeys": []}}
	hits(edit({"tenants": object.union(two, {"app": {"rpm": 500}})}), "tenant-rpm-over-capacity") == set()
	hits(edit({"tenants": object.union(two, {"app": {"rpm": 501}})}), "tenant-rpm-over-capacity") == {[["groups", "chat-azure"], "low"]}
}

test_group_with_a_deployment_of_unknown_rpm_has_no_capacity_to_exceed if {
	p := edit({"deployments": {"azure-gpt-4o": {"rpm": null}}, "tenants": {"app": {"rpm": 100000}}})
	hits(p, "tenant-rpm-over-capacity") == {[["groups", "chat"], "low"]}
}

# --- tenant-fallback-not-allowed: allowed on a group, not on its fallback ---

test_tenant_allowed_on_the_whole_chain_is_fine if {
	hits(plan, "tenant-fallback-not-allowed") == set()
}

test_tenant_not_allowed_on_a_fallback_warns if {
	p := edit({"tenants": {"app": {"allowedGroups": ["chat"]}}})
	hits(p, "tenant-fallback-not-allowed") == {[["tenants", "app", "allowedGroups"], "low"]}
}

test_tenant_not_allowed_on_a_context_window_fallback_warns if {
	p := edit({
		"groups": {"chat": {"fallbacks": [], "contextWindowFallbacks": ["chat-azure"]}},
		"tenants": {"app": {"allowedGroups": ["chat"]}},
	})
	hits(p, "tenant-fallback-not-allowed") == {[["tenants", "app", "allowedGroups"], "low"]}
}

test_fallback_of_a_group_the_tenant_may_not_use_is_not_checked if {
	p := edit({"tenants": {"app": {"allowedGroups": ["chat-azure"]}}, "groups": {"chat-azure": {"fallbacks": []}}})
	hits(p, "tenant-fallback-not-allowed") == set()
}

# --- literal-secret: the patterns at their minimum lengths ------------------

secret_hit(value) if {
	some [path, _] in hits(edit({"groups": {"chat": {"description": value}}}), "literal-secret")
	path == ["groups", "chat", "description"]
}

test_secret_patterns_at_their_minimum_length_are_denied if {
	every value in [
		"sk-abcdefghijklmnop", # sk- and 16
		"AKIAABCDEFGHIJKLMNOP", # AKIA and 16
		"ghp_abcdefghijklmnopqrst", # ghp_ and 20
		"xoxb-abcdefghij", # xoxb- and 10
		"-----BEGIN PRIVATE KEY-----",
		"https://user:p@host/v1",
	] {
		secret_hit(value)
	}
}

test_secret_patterns_one_short_are_allowed if {
	every value in [
		"sk-abcdefghijklmno", # sk- and 15
		"AKIAABCDEFGHIJKLMNO", # AKIA and 15
		"ghp_abcdefghijklmnopqrs", # ghp_ and 19
		"xoxb-abcdefghi", # xoxb- and 9
		"-----BEGIN PUBLIC KEY-----",
		"https://user@host:8443/v1",
		"ask-abcdefghijklmnopqrstuvwxyz", # sk- only at the start
	] {
		not secret_hit(value)
	}
}

test_string_where_a_secret_reference_belongs_is_denied if {
	every e in [
		[{"providers": {"openai": {"apiKey": "hunter2"}}}, ["providers", "openai", "apiKey"]],
		[{"tenants": {"app": {"apiKeys": ["hunter2"]}}}, ["tenants", "app", "apiKeys", 0]],
		[{"routerState": {"url": "redis-host:6379"}}, ["routerState", "url"]],
	] {
		hits(edit(e[0]), "literal-secret") == {[e[1], "critical"]}
	}
}

test_references_in_secret_slots_are_allowed if {
	p := edit({"routerState": {"url": {"ref": "env:REDIS_URL", "scheme": "env", "name": "REDIS_URL"}}})
	hits(p, "literal-secret") == set()
}

# --- diff rules --------------------------------------------------------------

group_diff := {
	"status": "changed",
	"providerShare": {"before": {"openai": 100}, "after": {"openai": 100}},
	"fallbacks": {"before": ["chat-azure"], "after": ["chat-azure"], "added": [], "removed": [], "reordered": false},
	"circuitBreaker": {"loosened": [], "tightened": []},
	"retries": {"loosened": [], "tightened": []},
}

tenant_diff := {"status": "changed", "rpm": {"before": 100, "after": 100}, "tpm": {"before": 1000, "after": 1000}}

diff := {
	"groups": {"chat": group_diff},
	"tenants": {"app": tenant_diff},
	"cost": {"monthlyBeforeUsd": 1000, "monthlyAfterUsd": 1000, "changePercent": 0},
}

risks(e) := r if {
	found := risk.risk with input as {"plan": {}, "base": {}, "diff": object.union(diff, e)}
	r := {[f.id, f.path, f.level] | some f in found}
}

risk_ids(e) := {r[0] | some r in risks(e)}

test_the_diff_is_quiet if {
	risks({}) == set()
}

share(before, after) := {"groups": {"chat": {"providerShare": {"before": before, "after": after}}}}

test_traffic_shift_of_20_points_either_way_is_fine if {
	risks(share({"openai": 100}, {"openai": 80, "anthropic": 20})) == set()
	risks(share({"openai": 80, "anthropic": 20}, {"openai": 100})) == set()
}

test_traffic_shift_of_21_points_either_way_is_medium if {
	risks(share({"openai": 100}, {"openai": 79, "anthropic": 21})) == {["traffic-shift", ["groups", "chat"], "medium"]}
	risks(share({"openai": 79, "anthropic": 21}, {"openai": 100})) == {["traffic-shift", ["groups", "chat"], "medium"]}
}

test_traffic_shift_names_both_directions if {
	found := risk.risk with input as {"plan": {}, "base": {}, "diff": object.union(diff, share({"openai": 79, "anthropic": 21}, {"openai": 100}))}
	msgs := {f.msg | some f in found}
	msgs == {
		`group "chat" moves 21 points of traffic to provider "openai" (79% -> 100%)`,
		`group "chat" moves 21 points of traffic away from provider "anthropic" (21% -> 0%)`,
	}
}

test_traffic_shift_of_an_added_group_is_not_a_shift if {
	e := object.union(share({}, {"anthropic": 100}), {"groups": {"chat": {"status": "added"}}})
	risks(e) == set()
}

test_fallback_removed_is_high if {
	e := {"groups": {"chat": {"fallbacks": {"after": [], "removed": ["chat-azure"]}}}}
	risks(e) == {["fallback-removed", ["groups", "chat", "fallbacks"], "high"]}
}

test_fallback_added_or_reordered_is_fine if {
	risks({"groups": {"chat": {"fallbacks": {"after": ["chat-azure", "chat-local"], "added": ["chat-local"]}}}}) == set()
	risks({"groups": {"chat": {"fallbacks": {"reordered": true}}}}) == set()
}

test_fallbacks_of_a_removed_group_are_not_a_removed_fallback if {
	e := {"groups": {"chat": {"status": "removed", "fallbacks": {"after": [], "removed": ["chat-azure"]}}}}
	not "fallback-removed" in risk_ids(e)
}

test_breaker_and_retries_loosened_are_high if {
	risks({"groups": {"chat": {"circuitBreaker": {"loosened": ["minRequests"]}}}}) == {["breaker-loosened", ["groups", "chat", "circuitBreaker"], "high"]}
	risks({"groups": {"chat": {"retries": {"loosened": ["count"]}}}}) == {["retries-loosened", ["groups", "chat", "retries"], "high"]}
}

test_breaker_and_retries_tightened_are_fine if {
	risks({"groups": {"chat": {"circuitBreaker": {"tightened": ["minRequests"]}, "retries": {"tightened": ["count"]}}}}) == set()
}

tenant_rpm(before, after) := {"tenants": {"app": {"rpm": {"before": before, "after": after}}}}

test_tenant_limit_doubled_is_fine if {
	risks(tenant_rpm(100, 200)) == set()
}

test_tenant_limit_just_over_double_is_medium if {
	risks(tenant_rpm(100, 201)) == {["tenant-limit-raised", ["tenants", "app", "rpm"], "medium"]}
	risks({"tenants": {"app": {"tpm": {"before": 1000, "after": 2001}}}}) == {["tenant-limit-raised", ["tenants", "app", "tpm"], "medium"]}
}

test_tenant_limit_removed_is_medium if {
	risks(tenant_rpm(100, null)) == {["tenant-limit-raised", ["tenants", "app", "rpm"], "medium"]}
}

test_tenant_limit_set_where_there_was_none_is_fine if {
	risks(tenant_rpm(null, 100000)) == set()
	risks(tenant_rpm(null, null)) == set()
}

test_limit_of_an_added_tenant_is_not_a_raise if {
	risks(object.union(tenant_rpm(100, 1000), {"tenants": {"app": {"status": "added"}}})) == set()
}

cost(percent) := {"cost": {"monthlyAfterUsd": 1000 + (10 * percent), "changePercent": percent}}

test_cost_up_by_half_is_fine if {
	risks(cost(50)) == set()
}

test_cost_up_by_more_than_half_is_high if {
	risks(cost(50.1)) == {["cost-increase", ["cost"], "high"]}
}

test_cost_change_unknown_is_not_a_risk if {
	risks({"cost": {"monthlyBeforeUsd": 0, "monthlyAfterUsd": 1000, "changePercent": null}}) == set()
}
