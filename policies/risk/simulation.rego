# What a change does under simulated outages (input.simulation, see
# src/simulate/compare.ts): baseline and N-1 (each provider down in turn),
# simulated on the base and the head plan with the same seed and window.
# Only switchyard diff computes it; elsewhere input.simulation is null and
# these rules say nothing.
package switchyard.risk

import rego.v1

# How far fallback success may fall in an N-1 scenario before it is worth a
# look, in basis points of the rate (500 = 5 points), when no SLO says more.
# Rates are reported to 4 decimals, so the drop is rounded to whole basis
# points: 0.90 - 0.85 is 500, not 500.00000000000006.
max_fallback_success_drop_bp := 500

# The status of an SLO in one side's summary of a scenario; "absent" when the
# side did not run the scenario (a provider that plan does not have).
slo_status(side, id) := side.slos[id].status if side != null

slo_status(side, _) := "absent" if side == null

baseline_scenario := s if {
	some s in input.simulation.scenarios
	s.kind == "baseline"
}

# The change makes the plan miss an SLO with every provider up.
deny contains finding("simulated-slo-miss", "high", ["slos", "targets", id], msg) if {
	s := baseline_scenario
	some id, h in s.head.slos
	h.status == "fail"
	slo_status(s.base, id) != "fail"
	msg := sprintf("simulated with every provider up, the change makes SLO %q (%s %s) fail: %v (base: %s)", [id, h.metric, h.objective, h.value, slo_status(s.base, id)])
}

# The change makes an N-1 scenario miss an SLO the base met there. An SLO the
# head misses even with every provider up is reported once, above.
deny contains finding("simulated-n1-slo-miss", "high", ["slos", "targets", id], msg) if {
	some s in input.simulation.scenarios
	s.kind == "provider-down"
	some id, h in s.head.slos
	h.status == "fail"
	slo_status(s.base, id) != "fail"
	slo_status(baseline_scenario.head, id) != "fail"
	msg := sprintf("with provider %q down (simulated), the change makes SLO %q (%s %s) fail: %v (base: %s)", [s.target, id, h.metric, h.objective, h.value, slo_status(s.base, id)])
}

# Fallback success falls by more than max_fallback_success_drop_bp in an N-1
# scenario, whatever the SLOs say.
warn contains finding("simulated-n1-fallback-drop", "medium", ["providers", s.target], msg) if {
	some s in input.simulation.scenarios
	s.kind == "provider-down"
	s.base != null
	s.head != null
	s.base.fallbackSuccessRate != null
	s.head.fallbackSuccessRate != null
	drop := round((s.base.fallbackSuccessRate - s.head.fallbackSuccessRate) * 10000)
	drop > max_fallback_success_drop_bp
	msg := sprintf("with provider %q down (simulated), fallback success falls from %v to %v", [s.target, s.base.fallbackSuccessRate, s.head.fallbackSuccessRate])
}
