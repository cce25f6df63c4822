-- Takes a lock for ARGV[1] if nobody holds it, or extends it if ARGV[1]
-- already does; it lapses after ARGV[2] ms (a holder that died frees it).
--
-- KEYS[1]  lock key, e.g. <prefix>im:{<aor>}:lock   string owner
-- ARGV[1]  owner
-- ARGV[2]  ttl, ms (whole, at least 1)
--
-- Returns 1 when ARGV[1] holds the lock, 0 when another owner does.
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
