/**
 * The two scripts a request costs. The read script returns every hash a
 * decision needs. The record script applies the request's journal
 * (the same updates the router made to its local state, in the same order)
 * to the shared state atomically. The breaker table here is breaker.ts's,
 * written in Lua; the property tests run the same model against both.
 *
 * Layout (all keys share one hash tag, so both scripts
 * are single-slot in Redis Cluster; the cluster gives failover):
 *   <prefix>{router}:d:<deployment>  s phase, o openedAt, p probes, k probe successes, l latency EWMA,
 *                                    w breaker bucket width, r<i>/t<i> requests/tokens, q<i>/f<i> breaker requests/failures
 *   <prefix>{router}:t:<tenant>      r<i>/t<i> requests/tokens, m budget month, u spend (USD)
 * Journal: ARGV = BUCKETS, limit bucket width, ttl ms, then records of 9:
 *   op, key index (1-based into KEYS), now, a, b, c, d, e, f
 *   op A admit   a=cooldownMs b=halfOpenProbes
 *   op C call    a=tokens                         (deployment or tenant rpm/tpm)
 *   op R result  a=failed(0/1) b=latency(-1 none) c=threshold d=minRequests e=breaker bucket width f=halfOpenProbes
 *   op S spend   a=usd b=month
 */
/** The snapshot a decision reads: every hash in KEYS, as flat field/value arrays, in one command. */
export const READ_LUA = `
local out = {}
for i = 1, #KEYS do out[i] = redis.call('HGETALL', KEYS[i]) end
return out
`;

export const RECORD_LUA = `
local B = tonumber(ARGV[1])
local LW = tonumber(ARGV[2])
local TTL = tonumber(ARGV[3])
local ALPHA = 0.2

local function wsum(key, letter, cur)
  local fields = {}
  for j = cur - B, cur do fields[#fields + 1] = letter .. j end
  local vals = redis.call('HMGET', key, unpack(fields))
  local s = 0
  for _, v in ipairs(vals) do if v then s = s + tonumber(v) end end
  return s
end

local function clearBreakerWindows(key)
  local ks = redis.call('HKEYS', key)
  for _, f in ipairs(ks) do
    local c = string.sub(f, 1, 1)
    if c == 'q' or c == 'f' then redis.call('HDEL', key, f) end
  end
end

local function open(key, now)
  redis.call('HSET', key, 's', 1, 'o', now, 'p', 0, 'k', 0)
  clearBreakerWindows(key)
end

local function num(key, field)
  local v = redis.call('HGET', key, field)
  if v then return tonumber(v) end
  return 0
end

local lastNow = 0
local i = 4
while i + 8 <= #ARGV do
  local op = ARGV[i]
  local key = KEYS[tonumber(ARGV[i + 1])]
  local now = tonumber(ARGV[i + 2])
  local a = tonumber(ARGV[i + 3])
  local b = tonumber(ARGV[i + 4])
  if now > lastNow then lastNow = now end
  if op == 'C' then
    local cur = math.floor(now / LW)
    redis.call('HINCRBY', key, 'r' .. cur, 1)
    redis.call('HINCRBYFLOAT', key, 't' .. cur, a)
  elseif op == 'A' then
    local ph = num(key, 's')
    if ph == 1 and now >= num(key, 'o') + a and b > 0 then
      redis.call('HSET', key, 's', 2, 'p', 0, 'k', 0)
      ph = 2
    end
    if ph == 2 and num(key, 'p') < b then redis.call('HINCRBY', key, 'p', 1) end
  elseif op == 'R' then
    local threshold = tonumber(ARGV[i + 5])
    local minRequests = tonumber(ARGV[i + 6])
    local width = tonumber(ARGV[i + 7])
    local probes = tonumber(ARGV[i + 8])
    if b >= 0 then
      local l = redis.call('HGET', key, 'l')
      if l then redis.call('HSET', key, 'l', tonumber(l) + ALPHA * (b - tonumber(l))) else redis.call('HSET', key, 'l', b) end
    end
    redis.call('HSET', key, 'w', width)
    local ph = num(key, 's')
    if ph == 0 then
      local cur = math.floor(now / width)
      redis.call('HINCRBY', key, 'q' .. cur, 1)
      if a == 1 then
        redis.call('HINCRBY', key, 'f' .. cur, 1)
        local requests = wsum(key, 'q', cur)
        if requests >= minRequests and wsum(key, 'f', cur) / requests > threshold then open(key, now) end
      end
    elseif ph == 2 then
      if a == 1 then
        open(key, now)
      elseif redis.call('HINCRBY', key, 'k', 1) >= probes then
        redis.call('HSET', key, 's', 0, 'p', 0, 'k', 0)
        clearBreakerWindows(key)
      end
    end
  elseif op == 'S' then
    if num(key, 'm') ~= b then redis.call('HSET', key, 'm', b, 'u', 0) end
    redis.call('HINCRBYFLOAT', key, 'u', a)
  end
  i = i + 9
end

-- Drop buckets that left their windows, so hashes stay small.
for k = 1, #KEYS do
  local key = KEYS[k]
  local limitFloor = math.floor(lastNow / LW) - B
  local w = num(key, 'w')
  local breakerFloor = -1
  if w > 0 then breakerFloor = math.floor(lastNow / w) - B end
  local ks = redis.call('HKEYS', key)
  for _, f in ipairs(ks) do
    local c = string.sub(f, 1, 1)
    local idx = tonumber(string.sub(f, 2))
    if idx then
      if (c == 'r' or c == 't') and idx < limitFloor then redis.call('HDEL', key, f) end
      if (c == 'q' or c == 'f') and idx < breakerFloor then redis.call('HDEL', key, f) end
    end
  end
  redis.call('PEXPIRE', key, TTL)
end
return 1
`;
