# Tenants: every tenant is rate limited, and the tenants allowed on a group
# cannot together ask for more than the group can serve.
package switchyard.risk

import rego.v1

warn contains finding("tenant-without-limits", "medium", ["tenants", id, field], msg) if {
	some id, tenant in input.plan.tenants
	some field in ["rpm", "tpm"]
	tenant[field] == null
	msg := sprintf("tenant %q has no %s limit: one client can take a whole provider's quota", [id, field])
}

# A group's capacity is known only when every deployment declares its rpm.
group_rpm_capacity(name) := sum(rpms) if {
	deployments := input.plan.groups[name].deployments
	rpms := [r | some d in deployments; r := input.plan.deployments[d].rpm; r != null]
	count(rpms) == count(deployments)
}

# Tenants with an rpm limit, by the groups they may use; built once.
limited_tenants_by_group[name] contains id if {
	some id, t in input.plan.tenants
	t.rpm != null
	some name in t.allowedGroups
}

warn contains finding("tenant-rpm-over-capacity", "low", ["groups", name], msg) if {
	some name, ids in limited_tenants_by_group
	capacity := group_rpm_capacity(name)
	asked := sum([input.plan.tenants[id].rpm | some id in ids])
	asked > capacity
	tenants := sort([id | some id in ids])
	msg := sprintf("tenants %v may send %v rpm to group %q, which serves %v rpm", [tenants, asked, name, capacity])
}

# Fallbacks are bounded by the tenant's allowed groups (a tenant kept on
# local models must not spill to a hosted provider), so a group whose
# fallbacks the tenant may not use gives that tenant no fallback at all.
warn contains finding("tenant-fallback-not-allowed", "low", ["tenants", id, "allowedGroups"], msg) if {
	some id, t in input.plan.tenants
	some name in t.allowedGroups
	group := input.plan.groups[name]
	chain := {f | some f in group.fallbacks} | {f | some f in group.contextWindowFallbacks}
	blocked := sort([f | some f in chain; not f in t.allowedGroups])
	count(blocked) > 0
	msg := sprintf("tenant %q may use group %q but not its fallbacks %v, so its requests there cannot fall back", [id, name, blocked])
}
