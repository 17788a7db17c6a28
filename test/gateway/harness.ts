/**
 * A gateway on loopback serving the reference policy, with every provider
 * replaced by a local stand-in (test/fixtures/upstream-standins.ts) and the
 * secrets resolved the way `switchyard serve` resolves them: the OpenAI key
 * and the tenant keys from a Vault KV v2 stand-in, the others from the
 * environment. Every log line is kept, for the "no secret anywhere" checks.
 */
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { createLogger } from '../../src/gateway/log.ts';
import { resolveServingSecrets, type ServingSecrets } from '../../src/gateway/secrets.ts';
import { type RunningGateway, type StartOptions, startGateway } from '../../src/gateway/start.ts';
import { type MemoryRequestLog, memoryRequestLog } from '../../src/request-log/memory.ts';
import type { AttemptRow, RequestLog, RequestRow } from '../../src/request-log/types.ts';
import type { RouterStore } from '../../src/runtime/stores/store.ts';
import { memoryStore } from '../../src/runtime/stores/memory.ts';
import { createSecretResolver } from '../../src/secrets/resolve.ts';
import { referencePolicy } from '../fixtures/policies.ts';
import { type StandIn, type StandInKind, startStandIn } from '../fixtures/upstream-standins.ts';
import { startVault, type VaultStandIn } from '../fixtures/vault-server.ts';

/** Secret values that must never appear in a log line, metric, error body or request-log row. */
export const TENANT_KEYS: Record<string, string> = {
  'support-assistant': 'sk-tenant-support-7f3a9c1e5b2d4f60',
  'document-pipeline': 'sk-tenant-docs-0c8e2a4b6d1f3e57',
  'research-lab': 'sk-tenant-research-9a1b3c5d7e2f4a68',
};
export const PROVIDER_ENV: Record<string, string> = {
  AZURE_EASTUS_API_KEY: 'az-eastus-key-51c2d3e4f5a6b7c8',
  AZURE_SWEDENCENTRAL_API_KEY: 'az-sweden-key-61d2e3f4a5b6c7d8',
  ANTHROPIC_API_KEY: 'sk-ant-key-71e2f3a4b5c6d7e8',
  VLLM_API_KEY: 'vllm-key-81f2a3b4c5d6e7f8',
};
export const OPENAI_KEY = 'sk-openai-key-91a2b3c4d5e6f7a8';
export const ALL_SECRETS = [...Object.values(TENANT_KEYS), ...Object.values(PROVIDER_ENV), OPENAI_KEY];

const KIND: Record<string, StandInKind> = { openai: 'openai', azure_openai: 'azure', anthropic: 'anthropic', vllm: 'vllm' };
const ENV_OF: Record<string, string> = {
  'azure-eastus': 'AZURE_EASTUS_API_KEY',
  'azure-swedencentral': 'AZURE_SWEDENCENTRAL_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
};

// Test-only groups are named to sort before the reference groups, so their breaker settings are the deployments' own.
/**
 * The reference policy plus two test groups (a-flaky: one deployment, a
 * breaker that opens after two failures; a-slow: a 300 ms timeout) that
 * support-assistant may use, research-lab limited to 3 requests a minute and
 * document-pipeline to a $0.000015 monthly budget.
 */
export function withTestGroups(p: Policy): void {
  p.modelGroups.push(
    {
      name: 'a-flaky',
      // Not interactive: an interactive entry group would become the cost baseline (plan/baseline.ts).
      workload: 'cost_sensitive',
      strategy: 'ordered',
      deployments: ['vllm-c-llama-8b'],
      retries: { count: 0, backoff: { initial: '10ms', max: '10ms', multiplier: 1 }, retryOn: [500, 502, 503] },
      timeouts: { request: '2s' },
      fallbacks: [],
      contextWindowFallbacks: [],
      circuitBreaker: { errorRateThreshold: 0.5, minRequests: 2, window: '60s', cooldown: '10m', halfOpenProbes: 1 },
    } as Policy['modelGroups'][number],
    {
      name: 'a-slow',
      workload: 'premium',
      strategy: 'ordered',
      deployments: ['vllm-ab-llama-70b'],
      retries: { count: 1, backoff: { initial: '10ms', max: '10ms', multiplier: 1 }, retryOn: [500] },
      timeouts: { request: '300ms' },
      fallbacks: [],
      contextWindowFallbacks: [],
      circuitBreaker: { errorRateThreshold: 1, minRequests: 100, window: '60s', cooldown: '1s', halfOpenProbes: 1 },
    } as Policy['modelGroups'][number],
  );
  const support = p.tenants.find((t) => t.id === 'support-assistant')!;
  support.allowedGroups.push('a-flaky', 'a-slow');
  p.tenants.find((t) => t.id === 'research-lab')!.rpm = 3;
  p.tenants.find((t) => t.id === 'document-pipeline')!.monthlyBudgetUsd = 0.000015;
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export interface GatewayHarness {
  url: string;
  plan: CompiledPlan;
  /** By provider id. */
  standIns: Record<string, StandIn>;
  requestLog: MemoryRequestLog;
  /** The request-log rows of one request (its row and its attempts), if it was logged. */
  logged(requestId: string | null | undefined): { request: RequestRow; attempts: AttemptRow[] } | undefined;
  logLines: string[];
  gateway: RunningGateway;
  vault: VaultStandIn;
  /** Resolves a plan's secrets as the gateway did at start (for reloads). */
  secretsFor(plan: CompiledPlan): Promise<ServingSecrets>;
  post(path: string, body: unknown, o?: { tenant?: string; key?: string | null; headers?: Record<string, string> }): Promise<Reply>;
  get(path: string, o?: { tenant?: string }): Promise<Reply>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Changes to the reference policy (after the providers point at the stand-ins). */
  edit?: (p: Policy) => void;
  store?: RouterStore;
  maxBodyBytes?: number;
  /**
   * Rows the in-memory request log keeps (default memoryRequestLog's); past
   * it rows are dropped and counted, as a database writer's full queue drops
   * them. A long load sets it, so what the test keeps is not what it measures.
   */
  requestLogRows?: number;
  /** Load-shedding limits and the store a reload opens, as `serve` would pass them. */
  start?: Pick<StartOptions, 'slotLimits' | 'maxInFlight' | 'openStore' | 'onCanaryRollback'>;
  /**
   * A request log writing to a database, beside the in-memory one the tests
   * read: the gateway records every request to both, and /metrics and
   * close() report this one's stats. Closed with the gateway.
   */
  databaseLog?: RequestLog;
}

/** What the gateway records to: the in-memory log and, when given, the database log beside it. */
function gatewayLog(memory: MemoryRequestLog, database: RequestLog | undefined): RequestLog {
  if (database === undefined) return memory;
  return {
    record(request, attempts) {
      memory.record(request, attempts);
      database.record(request, attempts);
    },
    flush: async (timeoutMs) => {
      await Promise.all([memory.flush(timeoutMs), database.flush(timeoutMs)]);
    },
    close: async (timeoutMs) => {
      await Promise.all([memory.close(timeoutMs), database.close(timeoutMs)]);
    },
    stats: () => database.stats(),
  };
}

/** The reference policy with every provider's apiBase at a stand-in. */
export async function standInPolicy(bases: (providerId: string, kind: StandInKind) => string): Promise<Policy> {
  const policy = structuredClone(await referencePolicy());
  for (const p of policy.providers) p.apiBase = bases(p.id, KIND[p.kind]!);
  return policy;
}

export function compileOrThrow(policy: Policy): CompiledPlan {
  const r = compilePolicy(Policy.parse(policy));
  if (!r.plan) throw new Error(`policy did not compile: ${r.diagnostics.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  return r.plan;
}

export async function startVaultWithKeys(): Promise<VaultStandIn> {
  const vault = await startVault();
  vault.secrets.set('secret/switchyard/openai', { data: { key: OPENAI_KEY } });
  for (const [tenant, key] of Object.entries(TENANT_KEYS)) vault.secrets.set(`secret/switchyard/tenants/${tenant}`, { data: { api_key: key } });
  return vault;
}

/** Stand-ins for every provider of the reference policy, by provider id. */
export async function startStandIns(): Promise<Record<string, StandIn>> {
  const policy = await referencePolicy();
  const out: Record<string, StandIn> = {};
  for (const p of policy.providers) {
    const kind = KIND[p.kind]!;
    const key = p.kind === 'openai' ? OPENAI_KEY : p.kind === 'vllm' ? PROVIDER_ENV.VLLM_API_KEY! : PROVIDER_ENV[ENV_OF[p.id]!]!;
    out[p.id] = await startStandIn(kind, key);
  }
  return out;
}

export async function startHarness(o: HarnessOptions = {}): Promise<GatewayHarness> {
  const standIns = await startStandIns();
  const vault = await startVaultWithKeys();
  const policy = await standInPolicy((id) => standIns[id]!.base);
  o.edit?.(policy);
  const plan = compileOrThrow(policy);
  const env = { ...PROVIDER_ENV, VAULT_ADDR: vault.addr, VAULT_TOKEN: vault.token };
  const resolver = createSecretResolver({ env });
  const secrets = await resolveServingSecrets(plan, resolver);
  const logLines: string[] = [];
  const requestLog = memoryRequestLog(o.requestLogRows !== undefined ? { maxRows: o.requestLogRows } : {});
  const gateway = await startGateway({
    plan,
    store: o.store ?? memoryStore(),
    secrets,
    requestLog: gatewayLog(requestLog, o.databaseLog),
    log: createLogger((s) => logLines.push(s), ALL_SECRETS),
    ...(o.maxBodyBytes !== undefined ? { maxBodyBytes: o.maxBodyBytes } : {}),
    ...o.start,
  });
  const addr = await gateway.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${addr.port}`;
  const reply = async (res: Response): Promise<Reply> => {
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: res.status, headers: res.headers, text, json };
  };
  const auth = (tenant?: string, key?: string | null): Record<string, string> => {
    if (key === null) return {};
    return { authorization: `Bearer ${key ?? TENANT_KEYS[tenant ?? 'support-assistant']}` };
  };
  return {
    url,
    plan,
    standIns,
    requestLog,
    logged(requestId) {
      const request = requestLog.requests().find((r) => r.requestId === requestId);
      return request && { request, attempts: requestLog.attempts().filter((a) => a.requestId === requestId) };
    },
    logLines,
    gateway,
    vault,
    secretsFor: (p) => resolveServingSecrets(p, resolver),
    post: async (path, body, p = {}) =>
      reply(
        await fetch(`${url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...auth(p.tenant, p.key), ...(p.headers ?? {}) },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
      ),
    get: async (path, p = {}) => reply(await fetch(`${url}${path}`, { headers: auth(p.tenant) })),
    close: async () => {
      await gateway.close(2_000);
      await Promise.all(Object.values(standIns).map((s) => s.close()));
      await vault.close();
    },
  };
}

/** Request-log timings for fault tests: a database that comes back is noticed and written to within a fraction of a second. */
export const QUICK_RETRY_LOG = { flushIntervalMs: 20, retryInitialMs: 50, retryMaxMs: 200, connectTimeoutMs: 1_000 } as const;
