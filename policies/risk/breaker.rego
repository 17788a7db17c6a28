# Breakers must trip on an error rate above 5% (reference architecture).
package switchyard.risk

import rego.v1

max_breaker_error_rate := 0.05

deny contains finding("breaker-threshold-too-high", "high", ["groups", name, "circuitBreaker", "errorRateThreshold"], msg) if {
	some name, group in input.plan.groups
	group.circuitBreaker.errorRateThreshold > max_breaker_error_rate
	msg := sprintf("group %q opens its circuit breaker only above %v errors; the limit is %v", [name, group.circuitBreaker.errorRateThreshold, max_breaker_error_rate])
}
