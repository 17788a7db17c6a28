# Batch exports: PII must be redacted, and the completion window must be one
# the provider's Batch API offers.
package switchyard.risk

import rego.v1

# Completion windows each provider's Batch API accepts, in hours.
offered_completion_windows := {
	"openai": {24},
	"azure_openai": {24},
}

deny contains finding("pii-without-redaction", "critical", ["batchProfiles", id, "redaction", "enabled"], msg) if {
	some id, profile in input.plan.batchProfiles
	"pii" in profile.dataClasses
	not profile.redaction.enabled
	msg := sprintf("batch profile %q exports PII with redaction off", [id])
}

deny contains finding("pii-without-redaction", "critical", ["batchProfiles", id, "redaction", "rules"], msg) if {
	some id, profile in input.plan.batchProfiles
	"pii" in profile.dataClasses
	profile.redaction.enabled
	count(profile.redaction.rules) == 0
	count(object.get(profile.redaction, "detectors", [])) == 0
	msg := sprintf("batch profile %q exports PII with redaction on but no detectors or rules", [id])
}

deny contains finding("completion-window-not-offered", "high", ["batchProfiles", id, "completionWindowHours"], msg) if {
	some id, profile in input.plan.batchProfiles
	offered := object.get(offered_completion_windows, profile.providerKind, set())
	not profile.completionWindowHours in offered
	msg := sprintf("batch profile %q asks for a %vh completion window; %s offers %v", [id, profile.completionWindowHours, profile.providerKind, offered])
}
