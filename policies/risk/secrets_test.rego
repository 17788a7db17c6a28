package switchyard.risk_test

import rego.v1

import data.switchyard.risk

clean_plan := {"providers": {"openai": {"apiKey": {"ref": "env:OPENAI_API_KEY", "scheme": "env", "name": "OPENAI_API_KEY"}, "apiBase": "https://api.openai.com/v1"}}}

ids(findings) := {f.id | some f in findings}

test_references_are_not_secrets if {
	not "literal-secret" in ids(risk.deny) with input as {"plan": clean_plan, "base": null, "diff": null}
}

test_openai_key_in_any_field_is_denied if {
	plan := object.union(clean_plan, {"providers": {"openai": {"region": "sk-proj-abcdefghijklmnopqrstuvwxyz"}}})
	some f in risk.deny with input as {"plan": plan, "base": null, "diff": null}
	f.id == "literal-secret"
	f.path == ["providers", "openai", "region"]
	not contains(f.msg, "sk-proj")
}

test_string_in_a_secret_field_is_denied if {
	plan := {"providers": {"openai": {"apiKey": "hunter2"}}}
	some f in risk.deny with input as {"plan": plan, "base": null, "diff": null}
	f.id == "literal-secret"
	f.path == ["providers", "openai", "apiKey"]
}

test_credentials_in_a_url_are_denied if {
	plan := {"providers": {"vllm": {"apiBase": "http://admin:pa55@pool-a:8000/v1"}}}
	some f in risk.deny with input as {"plan": plan, "base": null, "diff": null}
	f.path == ["providers", "vllm", "apiBase"]
}

test_string_in_a_passthrough_secret_is_denied if {
	plan := {"providers": {"bedrock": {"passthrough": {"provider": "bedrock", "params": {}, "secrets": {"aws_secret_access_key": "wJalrXUtnFEMI"}}}}}
	some f in risk.deny with input as {"plan": plan, "base": null, "diff": null}
	f.id == "literal-secret"
	f.path == ["providers", "bedrock", "passthrough", "secrets", "aws_secret_access_key"]
	not contains(f.msg, "wJalr")
}

test_aws_key_in_a_passthrough_param_is_denied if {
	plan := {"providers": {"bedrock": {"passthrough": {"provider": "bedrock", "params": {"aws_region_name": "AKIAABCDEFGHIJKLMNOP"}, "secrets": {}}}}}
	some f in risk.deny with input as {"plan": plan, "base": null, "diff": null}
	f.path == ["providers", "bedrock", "passthrough", "params", "aws_region_name"]
}

test_passthrough_secret_references_are_not_secrets if {
	ref := {"ref": "env:AWS_SECRET_ACCESS_KEY", "scheme": "env", "name": "AWS_SECRET_ACCESS_KEY"}
	plan := {"providers": {"bedrock": {"passthrough": {"provider": "bedrock", "params": {}, "secrets": {"aws_secret_access_key": ref}}}}}
	not "literal-secret" in ids(risk.deny) with input as {"plan": plan, "base": null, "diff": null}
}
