# A literal secret anywhere in the plan. The policy language only accepts
# references (env:NAME, vault:path#field), so this guards plans built or
# edited by other means, and credentials hidden in URLs.
package switchyard.risk

import rego.v1

secret_patterns := [
	`^sk-[A-Za-z0-9_-]{16,}`, # OpenAI and Anthropic (sk-ant-...) keys
	`AKIA[0-9A-Z]{16}`, # AWS access key ids
	`-----BEGIN [A-Z ]*PRIVATE KEY-----`,
	`^gh[pousr]_[A-Za-z0-9]{20,}`, # GitHub tokens
	`^xox[abpr]-[A-Za-z0-9-]{10,}`, # Slack tokens
	`^[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@`, # user:password@ in a URL
]

# Fields that must hold a parsed secret reference, never a string.
secret_fields := {"apiKey", "apiKeys", "url"}

deny contains finding("literal-secret", "critical", path, msg) if {
	walk(input.plan, [path, value])
	is_string(value)
	some pattern in secret_patterns
	regex.match(pattern, value)
	msg := sprintf("%s holds what looks like a literal secret; use an env: or vault: reference", [path_text(path)])
}

deny contains finding("literal-secret", "critical", path, msg) if {
	walk(input.plan, [path, value])
	count(path) > 0
	path[count(path) - 1] in secret_fields
	is_string(value)
	msg := sprintf("%s is a plain string where a secret reference belongs", [path_text(path)])
}
