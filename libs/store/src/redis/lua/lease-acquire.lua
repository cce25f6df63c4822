-- Takes a partition's lease if it is free, lapsed or released, or renews it
-- if ARGV[1] holds it. Renewal keeps the epoch; any other take bumps it
-- (fencing token). Times are the caller's clock, never Redis TIME. The key
-- has no TTL: the epoch must outlive the lease so it never repeats.
--
-- KEYS[1]  <prefix>lease:{p:<n>}   hash owner, epoch, expiresAt
-- ARGV[1]  owner
-- ARGV[2]  now, ms
-- ARGV[3]  new expiresAt, ms (now + ttl)
--
-- Returns {1, epoch} when ARGV[1] now holds the lease, {0, epoch} when another owner does.
local cur = redis.call('HMGET', KEYS[1], 'owner', 'epoch', 'expiresAt')
local epoch = tonumber(cur[2]) or 0
local live = cur[1] and (tonumber(cur[3]) or 0) > tonumber(ARGV[2])
if live and cur[1] ~= ARGV[1] then
  return {0, epoch}
end
if not live then
  epoch = epoch + 1
end
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'epoch', epoch, 'expiresAt', ARGV[3])
return {1, epoch}
