package switchyard.risk_test

import rego.v1

import data.switchyard.risk

# A small plan in the compiled shape, edited per test with object.union.
base_plan := {
	"deployments": {
		"openai-gpt-4o": {"providerKind": "openai", "rpm": 1000},
		"azure-gpt-4o": {"providerKind": "azure_openai", "rpm": 500},
	},
	"groups": {
		"chat": {
			"workload": "interactive",
			"deployments": ["openai-gpt-4o"],
			"fallbacks": ["chat-azure"],
			"retries": {"count": 1, "backoff": {"initialMs": 200, "maxMs": 1000, "multiplier": 2}},
			"timeouts": {"requestMs": 600},
			"circuitBreaker": {"errorRateThreshold": 0.05},
		},
		"chat-azure": {
			"workload": "interactive",
			"deployments": ["azure-gpt-4o"],
			"fallbacks": ["chat"],
			"retries": {"count": 1, "backoff": {"initialMs": 200, "maxMs": 1000, "multiplier": 2}},
			"timeouts": {"requestMs": 600},
			"circuitBreaker": {"errorRateThreshold": 0.05},
		},
	},
	"tenants": {"app": {"rpm": 100, "tpm": 10000, "allowedGroups": ["chat", "chat-azure"]}},
	"pools": {"pool-a": {"maxContext": 32768, "models": {"llama": {
		"id": "pool-a/llama",
		"maxModelLen": 32768,
		"capacity": {"gpuMemoryUtilization": 0.9, "fits": true, "kvGbPerGpu": 10},
	}}}},
	"batchProfiles": {"docs": {
		"providerKind": "openai",
		"completionWindowHours": 24,
		"dataClasses": ["pii"],
		"redaction": {"enabled": true, "rules": [{"name": "email"}]},
	}},
	"slos": {"targets": {"latency": {"metric": "interactive_latency_p95_ms", "objective": [{"op": "<", "value": 2000}]}}},
}

findings_for(plan) := f if {
	f := {"deny": risk.deny, "warn": risk.warn} with input as {"plan": plan, "base": null, "diff": null}
}

ids_of(plan, kind) := {f.id | some f in findings_for(plan)[kind]}

test_base_plan_is_clean if {
	ids_of(base_plan, "deny") == set()
	ids_of(base_plan, "warn") == set()
}

test_single_provider_chain_warns if {
	plan := object.union(base_plan, {"groups": {"chat": {"fallbacks": []}}})
	ids_of(plan, "warn") == {"single-provider-exposure"}
	some f in findings_for(plan).warn
	f.path == ["groups", "chat", "fallbacks"]
	f.level == "high"
}

# The same base plan on two OpenAI-compatible providers: Groq, and a second service.
compat_plan(service) := object.union(base_plan, {
	"providers": {
		"groq": {"openaiCompatible": {"service": "groq"}, "passthrough": null},
		"other": {"openaiCompatible": {"service": service}, "passthrough": null},
	},
	"deployments": {
		"openai-gpt-4o": {"providerKind": "openai_compatible", "provider": "groq"},
		"azure-gpt-4o": {"providerKind": "openai_compatible", "provider": "other"},
	},
})

test_two_openai_compatible_services_are_two_vendors if {
	ids_of(compat_plan("ollama"), "warn") == set()
}

test_one_openai_compatible_service_is_one_vendor if {
	ids_of(compat_plan("groq"), "warn") == {"single-provider-exposure"}
}

test_breaker_above_five_percent_is_denied if {
	plan := object.union(base_plan, {"groups": {"chat-azure": {"circuitBreaker": {"errorRateThreshold": 0.08}}}})
	ids_of(plan, "deny") == {"breaker-threshold-too-high"}
}

test_breaker_at_five_percent_is_allowed if {
	not "breaker-threshold-too-high" in ids_of(base_plan, "deny")
}

test_retries_over_latency_slo_warn if {
	plan := object.union(base_plan, {"groups": {"chat": {"retries": {"count": 3}}}})
	ids_of(plan, "warn") == {"retry-budget-exceeds-latency-slo"}
}

test_worst_case_counts_capped_backoff if {
	# 3 attempts x 600ms + waits of 200ms and 400ms
	risk.worst_case_group_ms({"retries": {"count": 2, "backoff": {"initialMs": 200, "maxMs": 1000, "multiplier": 2}}, "timeouts": {"requestMs": 600}}) == 2400
	# the third wait (800ms) is capped at 500ms
	risk.worst_case_group_ms({"retries": {"count": 3, "backoff": {"initialMs": 200, "maxMs": 500, "multiplier": 2}}, "timeouts": {"requestMs": 100}}) == 1500
}

test_gpu_memory_utilization_above_095_is_denied if {
	plan := object.union(base_plan, {"pools": {"pool-a": {"models": {"llama": {"capacity": {"gpuMemoryUtilization": 0.97}}}}}})
	ids_of(plan, "deny") == {"gpu-memory-utilization-too-high"}
}

test_max_model_len_above_pool_context_is_denied if {
	plan := object.union(base_plan, {"pools": {"pool-a": {"models": {"llama": {"maxModelLen": 65536}}}}})
	ids_of(plan, "deny") == {"max-model-len-above-pool-context"}
}

test_model_that_does_not_fit_is_denied if {
	plan := object.union(base_plan, {"pools": {"pool-a": {"models": {"llama": {"capacity": {"fits": false, "kvGbPerGpu": -3.2}}}}}})
	ids_of(plan, "deny") == {"model-does-not-fit"}
}

test_pii_without_redaction_is_denied if {
	plan := object.union(base_plan, {"batchProfiles": {"docs": {"redaction": {"enabled": false}}}})
	ids_of(plan, "deny") == {"pii-without-redaction"}
}

test_pii_with_empty_rules_is_denied if {
	plan := object.union(base_plan, {"batchProfiles": {"docs": {"redaction": {"rules": [], "detectors": []}}}})
	ids_of(plan, "deny") == {"pii-without-redaction"}
}

test_pii_with_detectors_only_is_allowed if {
	plan := object.union(base_plan, {"batchProfiles": {"docs": {"redaction": {"rules": [], "detectors": ["email"]}}}})
	ids_of(plan, "deny") == set()
}

test_completion_window_not_offered_is_denied if {
	plan := object.union(base_plan, {"batchProfiles": {"docs": {"completionWindowHours": 48}}})
	ids_of(plan, "deny") == {"completion-window-not-offered"}
}

test_tenant_without_limits_warns if {
	plan := object.union(base_plan, {"tenants": {"app": {"rpm": null}}})
	ids_of(plan, "warn") == {"tenant-without-limits"}
}

test_tenants_over_group_capacity_warn if {
	plan := object.union(base_plan, {"tenants": {"app": {"rpm": 1500}}})
	ids_of(plan, "warn") == {"tenant-rpm-over-capacity"}
}

test_unknown_capacity_does_not_warn if {
	plan := object.union(base_plan, {"deployments": {"openai-gpt-4o": {"rpm": null}, "azure-gpt-4o": {"rpm": null}}, "tenants": {"app": {"rpm": 1500}}})
	not "tenant-rpm-over-capacity" in ids_of(plan, "warn")
}

test_tenant_without_the_fallbacks_of_its_group_warns if {
	plan := object.union(base_plan, {"tenants": {"app": {"allowedGroups": ["chat"]}}})
	ids_of(plan, "warn") == {"tenant-fallback-not-allowed"}
	some f in findings_for(plan).warn
	contains(f.msg, `["chat-azure"]`)
}
