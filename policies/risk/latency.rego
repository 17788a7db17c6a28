# Retries times timeout of an interactive group must fit in the interactive
# p95 latency objective, or a slow provider eats the whole budget before
# fallbacks get a chance.
package switchyard.risk

import rego.v1

warn contains finding("retry-budget-exceeds-latency-slo", "medium", ["groups", name, "retries"], msg) if {
	some name, group in input.plan.groups
	group.workload == "interactive"
	worst := worst_case_group_ms(group)
	slo := interactive_latency_slo
	worst > slo
	msg := sprintf("group %q can spend %vms on retries (%v attempts x %vms timeout plus backoff), over the %vms interactive latency objective", [name, worst, group.retries.count + 1, group.timeouts.requestMs, slo])
}
