# Breakers must trip on an error rate above 5% (reference architecture).
package switchyard.risk

import rego.v1

max_breaker_error_rate := 0.05

# METADATA
# title: Circuit breakers open at 5% errors or less
# related_resources:
#   - ref: README.md#risk-rules-rego
#     description: the reference architecture's breaker limit
# custom:
#   level: high
deny contains finding("breaker-threshold-too-high", level, ["groups", name, "circuitBreaker", "errorRateThreshold"], msg) if {
	# The level lives in the METADATA above; rego.metadata.rule() reads it here, so OPA (and its Wasm) see it too.
	level := rego.metadata.rule().custom.level
	some name, group in input.plan.groups
	group.circuitBreaker.errorRateThreshold > max_breaker_error_rate
	msg := sprintf("group %q opens its circuit breaker only above %v errors; the limit is %v", [name, group.circuitBreaker.errorRateThreshold, max_breaker_error_rate])
}
