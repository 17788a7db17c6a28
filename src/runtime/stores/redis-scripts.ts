/**
 * The one script a sync costs, and its wire format. A router's sync sends
 * the batch of what it changed since its last sync (stores/batch.ts; after a
 * failed sync, the unacknowledged batches before it too) and the version of
 * every hash it last saw; the script applies each batch not applied yet to
 * the shared state, atomically, and answers the hashes that changed since. The
 * breaker table here is breaker.ts's, written in Lua; a run of successes is
 * Breaker.recordSuccesses. The property tests hold both to one model.
 *
 * Layout (every key shares one hash tag, so the script is single-slot in
 * Redis Cluster; the cluster gives failover):
 *   <prefix>{router}:d:<deployment>  s phase, o openedAt, p probes, k probe successes, l latency EWMA,
 *                                    w breaker bucket width, v version, r<i>/t<i> requests/tokens per
 *                                    limit bucket, q<i>/f<i> breaker requests/failures per breaker bucket
 *   <prefix>{router}:t:<tenant>      v version, r<i>/t<i> requests/tokens, m budget month, u spend (USD)
 *   <prefix>{router}:seq             a counter: each sync that writes takes the next value as the
 *                                    version of the hashes it wrote; it starts at the time in µs, so
 *                                    versions grow across a Redis restart that lost the data
 *   <prefix>{router}:applied:<id>    the last batch id applied for router <id> (random per store), so
 *                                    that a batch sent again after a timeout is applied once
 * KEYS = every deployment hash, every tenant hash, the seq key, this router's applied key.
 * ARGV = BUCKETS, limit bucket width, ttl ms, now, NV (= #KEYS - 2), NV versions last seen (-1: unknown),
 *   NB, then NB batches in order: id, nSegments, then one segment per changed hash:
 *   D key cooldownMs halfOpenProbes threshold minRequests breakerWidth nCounters nRecords
 *     counters (bucket requests tokens) x nCounters, records (kind a b c d e) x nRecords
 *   T key nCounters nSpend  counters (bucket requests tokens) x nCounters, spend (month usd) x nSpend
 * Reply = { seq or 0, then for each hash whose version differs from ARGV's: index in KEYS, version, fields }.
 */
import type { RouterTables } from '../tables.ts';
import { BUCKETS, bucketWidth } from '../windows.ts';
import { type Batch, LIMIT_WIDTH, REC } from './batch.ts';

/** Lua: the version the hashes a script writes take, from the seq key (one per script call that writes). */
const NEXT_SEQ_LUA = `
local function nextSeq(key)
  local s = redis.call('INCR', key)
  if s == 1 then
    -- A new (or wiped) Redis: versions start at the time in microseconds, above any a router saw before.
    local t = redis.call('TIME')
    s = tonumber(t[1]) * 1000000 + tonumber(t[2])
    redis.call('SET', key, s)
  end
  return s
end
`;

export const SYNC_LUA = `${NEXT_SEQ_LUA}
local B = tonumber(ARGV[1])
local LW = tonumber(ARGV[2])
local TTL = tonumber(ARGV[3])
local NOW = tonumber(ARGV[4])
local NV = tonumber(ARGV[5])
local ALPHA = 0.2
local floor = math.floor

local h, dirty
local function get(f) local v = h[f]; if v then return tonumber(v) end; return 0 end
local function set(f, v) h[f] = v; dirty[f] = true end
local function add(f, v) set(f, get(f) + v) end

local function wsum(letter, cur)
  local s = 0
  for j = cur - B, cur do local v = h[letter .. j]; if v then s = s + tonumber(v) end end
  return s
end
local function clearBreaker()
  for f in pairs(h) do
    local c = string.sub(f, 1, 1)
    if (c == 'q' or c == 'f') and tonumber(string.sub(f, 2)) then set(f, nil) end
  end
end
local function open(now) set('s', 1); set('o', now); set('p', 0); set('k', 0); clearBreaker() end
local function close() set('s', 0); set('p', 0); set('k', 0); clearBreaker() end

local seq = false
local written = {}
local function begin(key)
  local flat = redis.call('HGETALL', key)
  h = {}
  dirty = {}
  for j = 1, #flat, 2 do h[flat[j]] = flat[j + 1] end
end
local function finish(k)
  local key = KEYS[k]
  if not seq then seq = nextSeq(KEYS[#KEYS - 1]) end
  set('v', seq)
  -- One pass: drop buckets that left their windows (so hashes stay small), and build the reply's copy
  -- of the hash as written (%.17g: numbers round-trip exactly), so it need not be read again.
  local lf = floor(NOW / LW) - B
  local w = get('w')
  local bf = -1
  if w > 0 then bf = floor(NOW / w) - B end
  local flat = {}
  for f, v in pairs(h) do
    local c = string.sub(f, 1, 1)
    local idx = tonumber(string.sub(f, 2))
    if idx and (((c == 'r' or c == 't') and idx < lf) or ((c == 'q' or c == 'f') and idx < bf)) then
      set(f, nil)
    else
      flat[#flat + 1] = f
      if type(v) == 'number' then flat[#flat + 1] = string.format('%.17g', v) else flat[#flat + 1] = v end
    end
  end
  written[k] = flat
  local hs, hd = {}, {}
  for f in pairs(dirty) do
    if h[f] == nil then hd[#hd + 1] = f else hs[#hs + 1] = f; hs[#hs + 1] = h[f] end
  end
  if #hd > 0 then redis.call('HDEL', key, unpack(hd)) end
  redis.call('HSET', key, unpack(hs))
  redis.call('PEXPIRE', key, TTL)
end

-- nc usage counters (bucket, requests, tokens) starting at ARGV[i]; returns the index after them.
local function usageCounters(i, nc)
  for _ = 1, nc do
    local b = tonumber(ARGV[i])
    add('r' .. b, tonumber(ARGV[i + 1]))
    add('t' .. b, tonumber(ARGV[i + 2]))
    i = i + 3
  end
  return i
end

-- A deployment segment starting at ARGV[i]: usage counters, then breaker records in order.
local function deploymentSegment(i)
  local cooldown = tonumber(ARGV[i + 2])
  local probes = tonumber(ARGV[i + 3])
  local threshold = tonumber(ARGV[i + 4])
  local minRequests = tonumber(ARGV[i + 5])
  local width = tonumber(ARGV[i + 6])
  local nc = tonumber(ARGV[i + 7])
  local nr = tonumber(ARGV[i + 8])
  i = i + 9
  i = usageCounters(i, nc)
  for _ = 1, nr do
    local rk = tonumber(ARGV[i])
    local a = tonumber(ARGV[i + 1])
    local b = tonumber(ARGV[i + 2])
    local c = tonumber(ARGV[i + 3])
    if rk == 1 then
      local ph = get('s')
      if ph == 1 and a >= get('o') + cooldown and probes > 0 then set('s', 2); set('p', 0); set('k', 0); ph = 2 end
      if ph == 2 and get('p') < probes then add('p', 1) end
    elseif rk == 2 then
      set('w', width)
      if c >= 0 then
        if h.l then set('l', tonumber(h.l) + ALPHA * (c - tonumber(h.l))) else set('l', c) end
      end
      local ph = get('s')
      if ph == 0 then
        local cur = floor(a / width)
        add('q' .. cur, 1)
        if b == 1 then
          add('f' .. cur, 1)
          local requests = wsum('q', cur)
          if requests >= minRequests and wsum('f', cur) / requests > threshold then open(a) end
        end
      elseif ph == 2 then
        if b == 1 then
          open(a)
        else
          add('k', 1)
          if get('k') >= probes then close() end
        end
      end
    else
      set('w', width)
      local n = b
      local previous = tonumber(ARGV[i + 5])
      if h.l then previous = tonumber(h.l) end
      set('l', c * previous + tonumber(ARGV[i + 4]))
      if get('s') == 2 then
        local need = probes - get('k')
        if n < need then add('k', n); n = 0 else close(); n = n - need end
      end
      if get('s') == 0 and n > 0 then add('q' .. a, n) end
    end
    i = i + 6
  end
end

-- A tenant segment starting at ARGV[i]: usage counters, then spend per budget month.
local function tenantSegment(i)
  local nc = tonumber(ARGV[i + 2])
  local ns = tonumber(ARGV[i + 3])
  i = i + 4
  i = usageCounters(i, nc)
  for _ = 1, ns do
    local month = tonumber(ARGV[i])
    local m = -1
    if h.m then m = tonumber(h.m) end
    -- Spend of a month before the hash's is late (an old batch): that budget period is over.
    if month > m then set('m', month); set('u', tonumber(ARGV[i + 1]))
    elseif month == m then add('u', tonumber(ARGV[i + 1])) end
    i = i + 2
  end
end

-- Batches in order; one this router already got applied (its sync timed out after Redis ran it) is skipped.
local APPLIED = KEYS[#KEYS]
local last = tonumber(redis.call('GET', APPLIED) or 0)
local newest = last
local i = 6 + NV
local nb = tonumber(ARGV[i])
i = i + 1
for _ = 1, nb do
  local id = tonumber(ARGV[i])
  local ns = tonumber(ARGV[i + 1])
  i = i + 2
  for _ = 1, ns do
    local k = tonumber(ARGV[i + 1])
    local size
    if ARGV[i] == 'D' then size = 9 + 3 * tonumber(ARGV[i + 7]) + 6 * tonumber(ARGV[i + 8]) else size = 4 + 3 * tonumber(ARGV[i + 2]) + 2 * tonumber(ARGV[i + 3]) end
    if id > last then
      begin(KEYS[k])
      if ARGV[i] == 'D' then deploymentSegment(i) else tenantSegment(i) end
      finish(k)
    end
    i = i + size
  end
  if id > newest then newest = id end
end
if newest > last then redis.call('SET', APPLIED, newest, 'PX', TTL) end

local out = { seq or 0 }
for k = 1, NV do
  if written[k] then
    out[#out + 1] = k
    out[#out + 1] = seq
    out[#out + 1] = written[k]
  else
    local v = redis.call('HGET', KEYS[k], 'v')
    v = v and tonumber(v) or 0
    if v ~= tonumber(ARGV[5 + k]) then
      out[#out + 1] = k
      out[#out + 1] = v
      out[#out + 1] = redis.call('HGETALL', KEYS[k])
    end
  end
end
return out
`;

/**
 * Seeds a keyspace a reload moved the router state to: each hash given is
 * written whole (the router's mirror, as redis-hash.ts dumps it) unless it
 * exists, in which case another router brought its state first and that is
 * the shared state. Seeded hashes take a new version, so the sync after
 * this reads them back like any other change.
 * KEYS = the hashes to seed, then the seq key. ARGV = ttl ms, then per hash: its field count, then field, value pairs.
 * Reply = how many hashes were written.
 */
export const SEED_LUA = `${NEXT_SEQ_LUA}
local TTL = tonumber(ARGV[1])
local seq = false
local seeded = 0
local i = 2
for k = 1, #KEYS - 1 do
  local n = tonumber(ARGV[i])
  if redis.call('EXISTS', KEYS[k]) == 0 then
    if not seq then seq = nextSeq(KEYS[#KEYS]) end
    local fields = { 'v', seq }
    for j = i + 1, i + 2 * n do fields[#fields + 1] = ARGV[j] end
    redis.call('HSET', KEYS[k], unpack(fields))
    redis.call('PEXPIRE', KEYS[k], TTL)
    seeded = seeded + 1
  end
  i = i + 1 + 2 * n
end
return seeded
`;

/** A batch as sent: ids grow per router, so the script can skip one it already applied. */
export interface NumberedBatch {
  id: number;
  batch: Batch;
}

/** ARGV for one sync: the batches' segments after the versions last seen (KEYS order: deployments, then tenants). */
export function syncArgs(
  tables: RouterTables,
  batches: readonly NumberedBatch[],
  versions: readonly number[],
  now: number,
  ttlMs: number,
): Array<string | number> {
  const args: Array<string | number> = [BUCKETS, LIMIT_WIDTH, ttlMs, now, versions.length];
  for (const v of versions) args.push(v);
  // Buckets that left the window before this sync change nothing (a batch kept through an outage has many).
  const oldest = Math.floor(now / LIMIT_WIDTH) - BUCKETS;
  const counters = (c: number[]): number => {
    let n = 0;
    for (let k = 0; k < c.length; k += 3)
      if (c[k]! >= oldest) {
        args.push(c[k]!, c[k + 1]!, c[k + 2]!);
        n++;
      }
    return n;
  };
  const base = tables.deployments.length + 1;
  args.push(batches.length);
  for (const { id, batch } of batches) {
    args.push(id, batch.touchedDeployments.length + batch.touchedTenants.length);
    for (const i of batch.touchedDeployments) {
      const delta = batch.deployments[i]!;
      const b = tables.deployments[i]!.breaker;
      const at = args.length;
      args.push('D', i + 1, b.cooldownMs, b.halfOpenProbes, b.errorRateThreshold, b.minRequests, bucketWidth(b.windowMs), 0, delta.records.length / REC);
      args[at + 7] = counters(delta.counters);
      for (const x of delta.records) args.push(x);
    }
    for (const i of batch.touchedTenants) {
      const delta = batch.tenants[i]!;
      const at = args.length;
      args.push('T', base + i, 0, delta.spend.length / 2);
      args[at + 2] = counters(delta.counters);
      for (const x of delta.spend) args.push(x);
    }
  }
  return args;
}

export interface SyncReply {
  /** The version this sync wrote (0 when the batch was empty). */
  seq: number;
  /** [index in KEYS (0-based), version, HGETALL] of every hash that changed since the versions sent. */
  changed: Array<[number, number, string[]]>;
}

export function parseSyncReply(reply: unknown): SyncReply {
  if (!Array.isArray(reply) || reply.length % 3 !== 1) throw new Error('unexpected reply from the sync script');
  const changed: SyncReply['changed'] = [];
  for (let i = 1; i < reply.length; i += 3) changed.push([Number(reply[i]) - 1, Number(reply[i + 1]), reply[i + 2] as string[]]);
  return { seq: Number(reply[0]), changed };
}
