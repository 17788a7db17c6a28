# A literal secret anywhere in the plan. The policy language only accepts
# references (env:NAME, vault:path#field), so this guards plans built or
# edited by other means, and credentials hidden in URLs.
package switchyard.risk

import rego.v1

# One alternation, so each string in the plan costs one regex match.
secret_pattern := concat("|", [
	`^sk-[A-Za-z0-9_-]{16,}`, # OpenAI and Anthropic (sk-ant-...) keys
	`AKIA[0-9A-Z]{16}`, # AWS access key ids
	`-----BEGIN [A-Z ]*PRIVATE KEY-----`,
	`^gh[pousr]_[A-Za-z0-9]{20,}`, # GitHub tokens
	`^xox[abpr]-[A-Za-z0-9-]{10,}`, # Slack tokens
	`^[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@`, # user:password@ in a URL
])

deny contains finding("literal-secret", "critical", path, msg) if {
	walk(input.plan, [path, value])
	is_string(value)
	regex.match(secret_pattern, value)
	msg := sprintf("%s holds what looks like a literal secret; use an env: or vault: reference", [path_text(path)])
}

# The places where the plan keeps secret references, with what they hold.
secret_slots contains [["providers", id, "apiKey"], p.apiKey] if {
	some id, p in input.plan.providers
}

# A pass-through provider's credentials (aws_secret_access_key, vertex_credentials...).
secret_slots contains [["providers", id, "passthrough", "secrets", name], ref] if {
	some id, p in input.plan.providers
	some name, ref in p.passthrough.secrets
}

secret_slots contains [["tenants", id, "apiKeys", i], key] if {
	some id, t in input.plan.tenants
	some i, key in t.apiKeys
}

secret_slots contains [["routerState", "url"], input.plan.routerState.url] if {
	input.plan.routerState.url
}

# A secret slot must hold a parsed reference ({ref, scheme, ...}), never a string.
deny contains finding("literal-secret", "critical", path, msg) if {
	some [path, value] in secret_slots
	is_string(value)
	msg := sprintf("%s is a plain string where a secret reference belongs; use an env: or vault: reference", [path_text(path)])
}
