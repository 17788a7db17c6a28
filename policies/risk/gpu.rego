# vLLM engines: memory headroom, context length within the pool, and fit.
package switchyard.risk

import rego.v1

max_gpu_memory_utilization := 0.95

deny contains finding("gpu-memory-utilization-too-high", "high", ["pools", pool, "models", name, "capacity", "gpuMemoryUtilization"], msg) if {
	some pool, p in input.plan.pools
	some name, m in p.models
	m.capacity.gpuMemoryUtilization > max_gpu_memory_utilization
	msg := sprintf("%s runs vLLM at gpu-memory-utilization %v; above %v leaves no room for the CUDA context and fragmentation", [m.id, m.capacity.gpuMemoryUtilization, max_gpu_memory_utilization])
}

deny contains finding("max-model-len-above-pool-context", "high", ["pools", pool, "models", name, "maxModelLen"], msg) if {
	some pool, p in input.plan.pools
	some name, m in p.models
	m.maxModelLen > p.maxContext
	msg := sprintf("%s has max-model-len %v, above pool %q's max context %v", [m.id, m.maxModelLen, pool, p.maxContext])
}

deny contains finding("model-does-not-fit", "critical", ["pools", pool, "models", name], msg) if {
	some pool, p in input.plan.pools
	some name, m in p.models
	not m.capacity.fits
	msg := sprintf("%s does not fit: %v GB per GPU left for KV cache cannot hold one %v-token request", [m.id, m.capacity.kvGbPerGpu, m.maxModelLen])
}
