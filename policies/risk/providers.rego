# An interactive model group whose whole fallback chain stays with one
# provider: one vendor outage takes the group down.
package switchyard.risk

import rego.v1

warn contains finding("single-provider-exposure", "high", ["groups", name, "fallbacks"], msg) if {
	some name, group in input.plan.groups
	group.workload == "interactive"
	chain := array.concat([name], group.fallbacks)
	kinds := {k | some g in chain; some k in group_provider_kinds(g)}
	count(kinds) == 1
	msg := sprintf("interactive group %q never leaves provider %v: its fallback chain %v has no other vendor", [name, concat("", kinds), chain])
}
