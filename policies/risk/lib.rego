# Helpers shared by the Switchyard risk rules.
#
# Every rule adds to one of three sets of findings {id, msg, path, level}:
#   deny  - the plan must not ship (switchyard check exits 1)
#   warn  - worth a look, does not block
#   risk  - what a change (input.diff against input.base) does; the level
#           decides whether a pull request needs approval
# path is the plan path as an array, e.g. ["groups", "chat", "fallbacks"].
package switchyard.risk

import rego.v1

finding(id, level, path, msg) := {"id": id, "level": level, "path": path, "msg": msg}

# The vendor behind a deployment: its provider kind (two Azure regions are
# still one vendor), or, for OpenAI-compatible and pass-through providers, the
# service they reach (Groq and a local Ollama are two vendors).
deployment_vendor(d) := v if {
	v := input.plan.providers[d.provider].openaiCompatible.service
} else := v if {
	v := input.plan.providers[d.provider].passthrough.provider
} else := d.providerKind

# Vendors behind a group.
group_provider_kinds(name) := {deployment_vendor(input.plan.deployments[d]) | some d in input.plan.groups[name].deployments}

# The interactive latency objective in ms, 2000 when the policy sets none.
interactive_latency_slo := v if {
	some t in input.plan.slos.targets
	t.metric == "interactive_latency_p95_ms"
	v := min([b.value | some b in t.objective])
} else := 2000

# b to the power n, for whole n >= 0 (Rego has no exponent operator).
pow(_, 0) := 1

pow(b, n) := product([b | some _ in numbers.range(1, n)]) if n > 0

# Worst-case time one group spends before giving up: every attempt times out
# and every backoff is waited for.
worst_case_group_ms(group) := total if {
	backoff := group.retries.backoff
	waits := [min([backoff.initialMs * pow(backoff.multiplier, i), backoff.maxMs]) |
		group.retries.count > 0
		some i in numbers.range(0, group.retries.count - 1)
	]
	total := ((group.retries.count + 1) * group.timeouts.requestMs) + sum(waits)
}

path_text(path) := concat(".", [sprintf("%v", [p]) | some p in path])
