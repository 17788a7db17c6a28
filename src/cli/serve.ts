/**
 * switchyard serve: the OpenAI-compatible gateway over a compiled plan.
 * Secrets (tenant keys, provider keys, the state store URL) are resolved at
 * start from the plan's references, and again from a reloaded plan's; the
 * state store is the plan's, followed through reloads (or --redis / --memory
 * for every plan); the request log goes to PostgreSQL (--database-url)
 * or to PGlite in a data directory; SIGTERM and SIGINT drain in-flight
 * requests (streams included), then flush the request log, before the
 * process exits. Logs are JSON lines on stderr.
 */
import { Command, Option } from 'commander';
import { parseSize } from '../gateway/body.ts';
import { DEFAULT_MIN_SAMPLES, DEFAULT_WINDOW_MS } from '../gateway/canary-judge.ts';
import { followBundle } from '../gateway/follow-bundle.ts';
import { createLogger, type Logger } from '../gateway/log.ts';
import { resolveServingSecrets, type ServingSecrets } from '../gateway/secrets.ts';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_IN_FLIGHT } from '../gateway/server.ts';
import { MOVE_READY_TIMEOUT_MS, pinnedStore, planStore, storeOpener } from '../gateway/state-store.ts';
import { DEFAULT_SLOT_LIMITS } from '../gateway/upstream/slots.ts';
import { REQUEST_LOG_CLOSE_MS, type RunningGateway, startGateway } from '../gateway/start.ts';
import { urlSecrets } from '../net/redact.ts';
import { parsePromDuration } from '../observability/promql.ts';
import { writeCanaryRecord } from '../publish/canary.ts';
import { readBundle, readCurrentBundle } from '../publish/read.ts';
import { DEFAULT_REDIS_PREFIX } from '../publish/target.ts';
import { targetOption } from './bundle-target.ts';
import { createRequestLog, DEFAULT_DATA_DIR, memoryRequestLog, REQUEST_LOG_DEFAULTS, type RequestLog } from '../request-log/index.ts';
import type { RouterStore } from '../runtime/stores/store.ts';
import { createSecretResolver } from '../secrets/resolve.ts';
import { SwitchyardError } from '../errors.ts';
import { EXIT, type Io, UserError } from './context.ts';
import { DEFAULT_PLAN, readPlanFile } from './plan-file.ts';

interface ServeOptions {
  plan: string;
  bundle?: string;
  bundlePrefix?: string;
  canaryVersion?: string;
  canaryPercent?: string;
  canaryWindow: string;
  canaryMinSamples: string;
  host: string;
  port: string;
  redis?: string;
  redisCluster?: boolean;
  memory?: boolean;
  databaseUrl?: string;
  dataDir?: string;
  /** false with --no-request-log. */
  requestLog: boolean;
  maxBody: string;
  shutdownTimeout: string;
  maxInFlight: string;
  maxConcurrency: string;
  maxQueue: string;
  queueTimeout: string;
}

function count(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 1_000_000) throw new UserError(`${flag} must be a whole number from 1 to 1000000, got ${JSON.stringify(text)}`);
  return n;
}

function port(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65_535) throw new UserError(`--port must be a port number (0-65535), got ${JSON.stringify(text)}`);
  return n;
}

/** Every secret value a plan's serving secrets hold (tenant and provider keys). */
const secretValues = (s: ServingSecrets): string[] => [
  ...[...s.tenantKeys.values()].flat(),
  ...[...s.providerKeys.values()].filter((k): k is string => k !== null),
];

/** The request log: PostgreSQL with --database-url, else PGlite in --data-dir; --no-request-log keeps no rows. */
function openRequestLog(o: ServeOptions, log: Logger): RequestLog & { target: string } {
  if (!o.requestLog) {
    if (o.databaseUrl !== undefined || o.dataDir !== undefined) throw new UserError('--no-request-log excludes --database-url and --data-dir');
    // Every row is dropped, and counted as such in switchyard_request_log_dropped_total: nothing pretends to be written.
    return Object.assign(memoryRequestLog({ maxRows: 0 }), { target: 'off' });
  }
  if (o.databaseUrl !== undefined && o.dataDir !== undefined) throw new UserError('--database-url and --data-dir exclude each other');
  return createRequestLog({
    ...(o.databaseUrl !== undefined ? { databaseUrl: o.databaseUrl } : { dataDir: o.dataDir ?? DEFAULT_DATA_DIR }),
    onEvent: (e) => log({ ...e, msg: `request log ${e.kind}` }),
  });
}

export function serveCommand(io: Io, done: (code: number) => void): Command {
  return new Command('serve')
    .description(
      "run the OpenAI-compatible gateway over a compiled plan: POST /v1/chat/completions, /v1/completions, /v1/embeddings; GET /v1/models, /healthz, /readyz, /metrics; 'model' is the model group, tenants authenticate with their API key",
    )
    .option('--plan <file>', 'compiled plan to serve', DEFAULT_PLAN)
    .option(
      '--bundle <target>',
      'serve the current version of a publish target (a directory or redis:// URL, as given to switchyard publish) and follow it: a publish or rollback is served within 2 s',
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', '4000')
    .option(
      '--canary-version <version>',
      "with --bundle: also serve this version of the target as a canary, rolled back on its own when it does worse than the plan's SLOs",
    )
    .option('--canary-percent <n>', 'share of requests (by a stable hash of tenant and request id) the canary takes, 0-100')
    .option(
      '--canary-window <duration>',
      "with --bundle: the canary judge's sliding window; the arms are compared over the answers of the last DURATION (1s to 1d)",
      `${DEFAULT_WINDOW_MS / 1000}s`,
    )
    .option(
      '--canary-min-samples <n>',
      'with --bundle: canary answers of a kind (all; that needed a fallback; interactive) in the window before the SLO of that kind is judged',
      String(DEFAULT_MIN_SAMPLES),
    )
    .option('--bundle-prefix <prefix>', 'key prefix of a redis:// --bundle target, as given to switchyard publish --prefix (default: "switchyard:")')
    .option('--redis <url>', 'share router state in this Redis (overrides the routerState of every plan, reloaded ones too)')
    .option('--redis-cluster', 'the --redis URL is a seed node of a Redis Cluster')
    .option('--memory', 'keep router state in this process only (overrides the routerState of every plan, reloaded ones too)')
    .addOption(
      new Option('--database-url <url>', 'write the request log to this PostgreSQL database (postgres://user:password@host:port/db)').env(
        'SWITCHYARD_DATABASE_URL',
      ),
    )
    .option('--data-dir <dir>', `without --database-url, the embedded PGlite database's directory (default: ${DEFAULT_DATA_DIR})`)
    .option('--no-request-log', 'keep no request log (its rows are counted as dropped)')
    .option('--max-body <size>', 'largest request body, e.g. 10mb, 512kb', `${DEFAULT_MAX_BODY_BYTES / 1024 / 1024}mb`)
    .option('--shutdown-timeout <duration>', 'on SIGTERM, how long in-flight requests may take to finish', '30s')
    .option('--max-in-flight <n>', 'model requests handled at once; past it new ones get 503 (code overloaded)', String(DEFAULT_MAX_IN_FLIGHT))
    .option('--max-concurrency <n>', 'calls in flight per deployment; more wait in its queue', String(DEFAULT_SLOT_LIMITS.maxConcurrent))
    .option(
      '--max-queue <n>',
      'calls waiting per deployment; past it the deployment counts as saturated (503) and the router falls back',
      String(DEFAULT_SLOT_LIMITS.maxQueued),
    )
    .option(
      '--queue-timeout <duration>',
      'longest wait for a deployment slot (then a timeout: fallback, or 504)',
      `${DEFAULT_SLOT_LIMITS.queueTimeoutMs / 1000}s`,
    )
    .option('--debug', 'print stack traces for internal errors')
    .addHelpText(
      'after',
      `
Secrets: tenant API keys, provider keys and the state store URL are the plan's
secret references, resolved at start (and from each plan --bundle reloads):
env:NAME from the environment, vault:path#field from Vault KV v2 (VAULT_ADDR,
VAULT_TOKEN, VAULT_NAMESPACE).

Reload (--bundle): a reload follows the new plan's routerState unless --redis
or --memory is given: a plan that moves router state (to Redis, another URL or
key prefix, back to memory) is served on that store, with the state of every
deployment and tenant it keeps carried over. A routerState that cannot be
resolved, or a Redis it moves to that does not answer within ${MOVE_READY_TIMEOUT_MS / 1000} s, fails the
reload (logged, counted in switchyard_plan_reloads_total{outcome="failure"})
and the gateway goes on serving the plan it has; an unreachable Redis is
tried again at every check.

Request log: one row per request and one per upstream attempt, in the tables
generated/sql reads (switchyard.requests, switchyard.attempts), queued and
written in batches in the background: a slow or down database never delays
a request (past ${REQUEST_LOG_DEFAULTS.maxQueue.toLocaleString('en-US')} queued rows, rows are dropped and counted in
switchyard_request_log_dropped_total). Give the database URL in
SWITCHYARD_DATABASE_URL rather than --database-url to keep its password out
of the process list (--no-request-log or --data-dir override it); it is
never printed. Without either, PGlite keeps the log in
${DEFAULT_DATA_DIR} (one gateway per directory). On SIGTERM, after
draining, queued rows get ${REQUEST_LOG_CLOSE_MS / 1000} s to be written.

Canary (--canary-version, or switchyard publish --canary on the --bundle
target): the canary's requests count against the same tenant and deployment
rate limits and budgets as the stable plan's; its breakers are its own. Over
--canary-window the gateway compares the two arms on three SLOs of the
stable plan: error_rate (5xx answers), fallback_success_rate (of requests
their own group did not serve, the share a fallback served) and
interactive_latency_p95_ms (requests to interactive groups). Once the canary
has --canary-min-samples answers of a kind, it is rolled back on its own when
it is past that SLO's objective and worse than the stable arm; the reason
(which SLO, both arms' figures and sample counts) goes to the log, /readyz
and the target's canary record. Without those SLOs in the plan: error rate
at most 1%, fallback success at least 95%, p95 at most twice the stable
arm's.

Examples:
  switchyard serve --memory
  switchyard serve --redis redis://127.0.0.1:6379 --database-url postgres://switchyard@db:5432/switchyard
  curl -s localhost:4000/v1/chat/completions -H "Authorization: Bearer $KEY" \\
    -H 'content-type: application/json' -d '{"model":"chat","messages":[{"role":"user","content":"hi"}]}'`,
    )
    .action(async (o: ServeOptions, cmd: Command) => {
      // SWITCHYARD_DATABASE_URL is a default: --no-request-log or --data-dir on the command line overrides it.
      if (cmd.getOptionValueSource('databaseUrl') === 'env' && (!o.requestLog || o.dataDir !== undefined)) delete o.databaseUrl;
      const listenPort = port(o.port);
      const maxBodyBytes = parseSize(o.maxBody);
      if (maxBodyBytes === null) throw new UserError(`--max-body must be a size such as 10mb or 65536, got ${JSON.stringify(o.maxBody)}`);
      const shutdownMs = parsePromDuration(o.shutdownTimeout);
      if (shutdownMs === null) throw new UserError(`--shutdown-timeout must be a duration such as 30s, got ${JSON.stringify(o.shutdownTimeout)}`);
      if (o.bundle !== undefined && cmd.getOptionValueSource('plan') === 'cli') throw new UserError('--plan and --bundle exclude each other');
      if (o.bundlePrefix !== undefined && o.bundle === undefined) throw new UserError('--bundle-prefix needs --bundle');
      if ((o.canaryVersion === undefined) !== (o.canaryPercent === undefined)) throw new UserError('--canary-version and --canary-percent go together');
      if (o.canaryVersion !== undefined && o.bundle === undefined) throw new UserError('--canary-version needs --bundle');
      const canaryPercent = o.canaryPercent === undefined ? null : Number(o.canaryPercent);
      if (canaryPercent !== null && (!/^\d+(\.\d+)?$/.test(o.canaryPercent!) || canaryPercent <= 0 || canaryPercent >= 100))
        throw new UserError(`--canary-percent must be a number above 0 and below 100, got ${JSON.stringify(o.canaryPercent)}`);
      const canaryWindowMs = parsePromDuration(o.canaryWindow);
      if (canaryWindowMs === null || canaryWindowMs < 1_000 || canaryWindowMs > 86_400_000)
        throw new UserError(`--canary-window must be a duration from 1s to 1d such as 60s, got ${JSON.stringify(o.canaryWindow)}`);
      const canaryJudge = { windowMs: canaryWindowMs, minSamples: count('--canary-min-samples', o.canaryMinSamples) };
      if ((cmd.getOptionValueSource('canaryWindow') === 'cli' || cmd.getOptionValueSource('canaryMinSamples') === 'cli') && o.bundle === undefined)
        throw new UserError('--canary-window and --canary-min-samples need --bundle');
      const target = o.bundle === undefined ? null : targetOption(o.bundle, o.bundlePrefix ?? DEFAULT_REDIS_PREFIX, '--bundle-prefix');
      const bundle = target === null ? null : await readCurrentBundle(target);
      const canaryBundle = target === null || o.canaryVersion === undefined ? null : await readBundle(target, o.canaryVersion);
      const maxInFlight = count('--max-in-flight', o.maxInFlight);
      const queueTimeoutMs = parsePromDuration(o.queueTimeout);
      if (queueTimeoutMs === null) throw new UserError(`--queue-timeout must be a duration such as 5s, got ${JSON.stringify(o.queueTimeout)}`);
      const slotLimits = { maxConcurrent: count('--max-concurrency', o.maxConcurrency), maxQueued: count('--max-queue', o.maxQueue), queueTimeoutMs };
      const plan = bundle?.plan ?? readPlanFile(o.plan);
      const resolver = createSecretResolver();
      const secrets = await resolveServingSecrets(plan, resolver);
      // --redis / --memory pin the store for every plan; else each plan's routerState names it (on reload too).
      const pinned = pinnedStore(o, plan);
      const initialStore = pinned ?? (await planStore(plan, resolver));
      const values = [...secretValues(secrets), ...(initialStore.kind === 'redis' ? urlSecrets(initialStore.url) : []), ...urlSecrets(o.databaseUrl ?? '')];
      const log = createLogger(io.stderr, values);
      if (secrets.tenantKeys.size === 0) log({ msg: 'the plan has no tenants: every request will be refused (401)' });
      const stores = storeOpener({ initial: initialStore, pinned: pinned !== null, resolver: createSecretResolver, log });
      // The request log first: its settings are checked at once (a bad URL, a data directory another gateway holds).
      const requestLog = openRequestLog(o, log);
      let store: RouterStore | null = null;
      let gateway: RunningGateway | null = null;
      let address: { address: string; port: number };
      try {
        store = await stores.start();
        const running = await startGateway({
          plan,
          store,
          secrets,
          requestLog,
          maxBodyBytes,
          maxInFlight,
          slotLimits,
          log,
          openStore: (p) => stores.reload(p, running.state.gen.router.store),
          canaryJudge,
          onCanaryRollback: (c) => {
            // Recorded where operators and CI look; the gateway goes on without it if the target is down.
            if (target === null) return;
            const record = {
              version: c.version,
              percent: running.state.canary?.percent ?? canaryPercent ?? 0,
              status: 'rolled-back' as const,
              reason: c.reason,
              at: new Date().toISOString(),
            };
            writeCanaryRecord(target, record).catch((e: unknown) => log({ msg: 'canary record not written', error: (e as Error).message }));
          },
        });
        gateway = running;
        if (canaryBundle !== null && canaryPercent !== null && target !== null) {
          try {
            const secretsOfCanary = await resolveServingSecrets(canaryBundle.plan, resolver);
            log.addSecrets(secretValues(secretsOfCanary));
            await running.startCanary(canaryBundle.plan, secretsOfCanary, { version: canaryBundle.version, percent: canaryPercent });
            await writeCanaryRecord(target, {
              version: canaryBundle.version,
              percent: canaryPercent,
              status: 'running',
              reason: null,
              at: new Date().toISOString(),
            });
          } catch (e) {
            // Said as the canary's, with the exit code of its cause (a secret, a plan the gateway cannot serve, the target).
            if (!(e instanceof SwitchyardError)) throw e;
            throw new SwitchyardError(`canary ${canaryBundle.version}: ${e.message}`, e.code, { exitCode: e.exitCode, cause: e });
          }
        }
        try {
          address = await running.listen(listenPort, o.host);
        } catch (e) {
          throw new UserError(`cannot listen on ${o.host}:${listenPort}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
      } catch (e) {
        // The start failed: release everything opened (the data directory's lock, Redis connections, upstream pools,
        // a canary's generation), so that the process ends with the error instead of staying up on dangling handles.
        if (gateway !== null) await gateway.close(0);
        else await Promise.all([requestLog.close(0), store?.close()]);
        throw e;
      }
      const host = address.address.includes(':') ? `[${address.address}]` : address.address;
      const follower =
        target === null || bundle === null
          ? null
          : followBundle({
              target,
              version: bundle.version,
              reload: gateway.reload,
              onReload: (outcome) => gateway.metrics.reload(outcome),
              canary: {
                current: () => {
                  const c = gateway.state.canary;
                  return c === null ? null : { version: c.version, status: c.status };
                },
                start: (p, s, version, percent) => gateway.startCanary(p, s, { version, percent }),
                promote: gateway.promoteCanary,
                end: (status, reason) => gateway.abortCanary(status === 'rolled-back' ? `rolled back elsewhere: ${reason}` : reason),
              },
              secretsFor: async (p) => {
                // A resolver of its own: Vault is read again, so a key rotated since the last plan is the one served.
                const next = await resolveServingSecrets(p, createSecretResolver());
                // A new plan may name new keys: they are scrubbed from the log before it can print them.
                log.addSecrets(secretValues(next));
                return next;
              },
              log,
            });
      log({
        msg: 'listening',
        url: `http://${host}:${address.port}`,
        plan: plan.name,
        hash: plan.hash,
        ...(target !== null && bundle !== null ? { bundle: target.display, version: bundle.version } : {}),
        ...(canaryBundle !== null ? { canary: canaryBundle.version, canaryPercent } : {}),
        store: store.kind,
        requestLog: requestLog.target,
        tenants: Object.keys(plan.tenants).length,
        groups: Object.keys(plan.groups).length,
        deployments: Object.keys(plan.deployments).length,
      });
      const signal = await new Promise<string>((resolve) => {
        process.once('SIGTERM', () => resolve('SIGTERM'));
        process.once('SIGINT', () => resolve('SIGINT'));
      });
      log({ msg: 'shutting down', signal, inFlight: gateway.inFlight(), timeoutMs: shutdownMs });
      await follower?.close();
      const summary = await gateway.close(shutdownMs);
      log({ msg: 'stopped', unfinished: summary.unfinished, requestLog: summary.requestLog });
      done(EXIT.ok);
    });
}
