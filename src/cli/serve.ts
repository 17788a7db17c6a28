/**
 * switchyard serve: the OpenAI-compatible gateway over a compiled plan.
 * Secrets (tenant keys, provider keys, the state store URL) are resolved at
 * start from the plan's references; the state store is the plan's (or
 * --redis / --memory); SIGTERM and SIGINT drain in-flight requests (streams
 * included) before the process exits. Logs are JSON lines on stderr.
 */
import { Command } from 'commander';
import { createLogger, type Logger } from '../gateway/log.ts';
import { resolveServingSecrets } from '../gateway/secrets.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../gateway/server.ts';
import { parseSize } from '../gateway/body.ts';
import { startGateway } from '../gateway/start.ts';
import { parsePromDuration } from '../observability/promql.ts';
import type { CompiledPlan } from '../plan/types.ts';
import { createMemoryRequestLog } from '../request-log/memory.ts';
import type { RequestLog } from '../request-log/types.ts';
import { memoryStore } from '../runtime/stores/memory.ts';
import { createRedisStore } from '../runtime/stores/redis.ts';
import type { RouterStore } from '../runtime/stores/store.ts';
import { createSecretResolver, type SecretResolver } from '../secrets/resolve.ts';
import { EXIT, UserError, type Io } from './context.ts';
import { DEFAULT_PLAN, readPlanFile } from './plan-file.ts';

interface ServeOptions {
  plan: string;
  host: string;
  port: string;
  redis?: string;
  redisCluster?: boolean;
  memory?: boolean;
  maxBody: string;
  shutdownTimeout: string;
}

function port(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65_535) throw new UserError(`--port must be a port number (0-65535), got ${JSON.stringify(text)}`);
  return n;
}

/** The URL without its password, for log lines. */
const shownUrl = (url: string) => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');

/** The state store: --memory, --redis URL, or what the plan's routerState says. */
async function openStore(plan: CompiledPlan, o: ServeOptions, resolver: SecretResolver, log: Logger): Promise<RouterStore> {
  if (o.memory && o.redis !== undefined) throw new UserError('--memory and --redis exclude each other');
  const rs = plan.routerState;
  const keyPrefix = rs.kind === 'redis' ? rs.keyPrefix : 'switchyard:';
  let url: string;
  if (o.memory || (o.redis === undefined && rs.kind === 'memory')) return memoryStore();
  if (o.redis !== undefined) {
    if (!/^rediss?:\/\//.test(o.redis)) throw new UserError('--redis must be a redis:// or rediss:// URL');
    url = o.redis;
  } else if (rs.kind === 'redis') url = await resolver.resolve(rs.url.ref);
  else return memoryStore();
  // The plan's cluster flag describes the plan's URL; a --redis URL is standalone unless --redis-cluster says otherwise.
  const cluster = o.redis !== undefined ? o.redisCluster === true : rs.kind === 'redis' && rs.cluster;
  const store = await createRedisStore({ url, cluster, keyPrefix });
  log({ msg: 'state store', store: 'redis', url: shownUrl(url), cluster, keyPrefix, ready: store.client.status === 'ready' });
  return store;
}

/** The request log: in memory until the PostgreSQL / PGlite writer is configured. */
function openRequestLog(): RequestLog {
  return createMemoryRequestLog();
}

export function serveCommand(io: Io, done: (code: number) => void): Command {
  return new Command('serve')
    .description(
      "run the OpenAI-compatible gateway over a compiled plan: POST /v1/chat/completions, /v1/completions, /v1/embeddings; GET /v1/models, /healthz, /readyz, /metrics; 'model' is the model group, tenants authenticate with their API key",
    )
    .option('--plan <file>', 'compiled plan to serve', DEFAULT_PLAN)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', '4000')
    .option('--redis <url>', "share router state in this Redis (overrides the plan's routerState)")
    .option('--redis-cluster', 'the --redis URL is a seed node of a Redis Cluster')
    .option('--memory', "keep router state in this process only (overrides the plan's routerState)")
    .option('--max-body <size>', 'largest request body, e.g. 10mb, 512kb', `${DEFAULT_MAX_BODY_BYTES / 1024 / 1024}mb`)
    .option('--shutdown-timeout <duration>', 'on SIGTERM, how long in-flight requests may take to finish', '30s')
    .option('--debug', 'print stack traces for internal errors')
    .addHelpText(
      'after',
      `
Secrets: tenant API keys, provider keys and the state store URL are the plan's
secret references, resolved at start: env:NAME from the environment,
vault:path#field from Vault KV v2 (VAULT_ADDR, VAULT_TOKEN, VAULT_NAMESPACE).

Examples:
  switchyard serve --memory
  curl -s localhost:4000/v1/chat/completions -H "Authorization: Bearer $KEY" \\
    -H 'content-type: application/json' -d '{"model":"chat","messages":[{"role":"user","content":"hi"}]}'`,
    )
    .action(async (o: ServeOptions) => {
      const listenPort = port(o.port);
      const maxBodyBytes = parseSize(o.maxBody);
      if (maxBodyBytes === null) throw new UserError(`--max-body must be a size such as 10mb or 65536, got ${JSON.stringify(o.maxBody)}`);
      const shutdownMs = parsePromDuration(o.shutdownTimeout);
      if (shutdownMs === null) throw new UserError(`--shutdown-timeout must be a duration such as 30s, got ${JSON.stringify(o.shutdownTimeout)}`);
      const plan = readPlanFile(o.plan);
      const resolver = createSecretResolver();
      const secrets = await resolveServingSecrets(plan, resolver);
      const values = [...[...secrets.tenantKeys.values()].flat(), ...[...secrets.providerKeys.values()].filter((k): k is string => k !== null)];
      const log = createLogger(io.stderr, values);
      if (secrets.tenantKeys.size === 0) log({ msg: 'the plan has no tenants: every request will be refused (401)' });
      const store = await openStore(plan, o, resolver, log);
      const requestLog = openRequestLog();
      const gateway = startGateway({ plan, store, secrets, requestLog, maxBodyBytes, log });
      let address: { address: string; port: number };
      try {
        address = await gateway.listen(listenPort, o.host);
      } catch (e) {
        await gateway.close(0);
        throw new UserError(`cannot listen on ${o.host}:${listenPort}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const host = address.address.includes(':') ? `[${address.address}]` : address.address;
      log({
        msg: 'listening',
        url: `http://${host}:${address.port}`,
        plan: plan.name,
        hash: plan.hash,
        store: store.kind,
        tenants: Object.keys(plan.tenants).length,
        groups: Object.keys(plan.groups).length,
        deployments: Object.keys(plan.deployments).length,
      });
      const signal = await new Promise<string>((resolve) => {
        process.once('SIGTERM', () => resolve('SIGTERM'));
        process.once('SIGINT', () => resolve('SIGINT'));
      });
      log({ msg: 'shutting down', signal, inFlight: gateway.inFlight(), timeoutMs: shutdownMs });
      const summary = await gateway.close(shutdownMs);
      log({ msg: 'stopped', unfinished: summary.unfinished, requestLog: summary.requestLog });
      done(EXIT.ok);
    });
}
