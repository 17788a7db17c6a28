# What a change does to live traffic (input.diff, see src/diff/types.ts).
package switchyard.risk

import rego.v1

max_share_move_points := 20

risk contains finding("traffic-shift", "medium", ["groups", name], msg) if {
	some name, g in input.diff.groups
	g.status == "changed"
	providers := {p | some p, _ in g.providerShare.before} | {p | some p, _ in g.providerShare.after}
	some p in providers
	move := object.get(g.providerShare.after, p, 0) - object.get(g.providerShare.before, p, 0)
	abs(move) > max_share_move_points
	msg := sprintf("group %q moves %v points of traffic %s provider %q (%v%% -> %v%%)", [name, abs(move), direction(move), p, object.get(g.providerShare.before, p, 0), object.get(g.providerShare.after, p, 0)])
}

direction(move) := "to" if move > 0

direction(move) := "away from" if move < 0

risk contains finding("fallback-removed", "high", ["groups", name, "fallbacks"], msg) if {
	some name, g in input.diff.groups
	g.status == "changed"
	count(g.fallbacks.removed) > 0
	msg := sprintf("group %q loses fallback %v (chain %v -> %v)", [name, g.fallbacks.removed, g.fallbacks.before, g.fallbacks.after])
}

risk contains finding("breaker-loosened", "high", ["groups", name, "circuitBreaker"], msg) if {
	some name, g in input.diff.groups
	count(g.circuitBreaker.loosened) > 0
	msg := sprintf("group %q loosens its circuit breaker: %v", [name, g.circuitBreaker.loosened])
}

risk contains finding("retries-loosened", "high", ["groups", name, "retries"], msg) if {
	some name, g in input.diff.groups
	count(g.retries.loosened) > 0
	msg := sprintf("group %q loosens its retry policy: %v", [name, g.retries.loosened])
}

risk contains finding("tenant-limit-raised", "medium", ["tenants", id, field], msg) if {
	some id, t in input.diff.tenants
	t.status == "changed"
	some field in ["rpm", "tpm"]
	before := t[field].before
	after := t[field].after
	raised(before, after)
	msg := sprintf("tenant %q %s limit goes from %v to %v (more than 2x)", [id, field, before, after])
}

raised(before, after) if {
	before != null
	after == null
}

raised(before, after) if {
	before != null
	after != null
	after > 2 * before
}

risk contains finding("cost-increase", "high", ["cost"], msg) if {
	input.diff.cost.changePercent != null
	input.diff.cost.changePercent > 50
	msg := sprintf("projected monthly cost rises %v%% (%v USD -> %v USD)", [input.diff.cost.changePercent, input.diff.cost.monthlyBeforeUsd, input.diff.cost.monthlyAfterUsd])
}
