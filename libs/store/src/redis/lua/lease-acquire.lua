-- Takes each partition's lease if it is free, lapsed or released, or renews
-- it if ARGV[1] holds it. Renewal keeps the epoch; any other take bumps it
-- (fencing token). Times are the caller's clock, never Redis TIME. The keys
-- have no TTL: the epoch must outlive the lease so it never repeats.
--
-- KEYS[1]  <prefix>lease:{p:<n>}   hash owner, epoch, expiresAt
-- KEYS[2]… optional, on a single Redis node only (other hash slots): more
--          partitions' lease keys, as KEYS[1], renewed in the same call
-- ARGV[1]  owner
-- ARGV[2]  now, ms
-- ARGV[3]  new expiresAt, ms (now + ttl)
--
-- Returns {held, epoch} per key, in KEYS order, one flat list: held is 1 when
-- ARGV[1] now holds that lease, 0 when another owner does.
local result = {}
for i, key in ipairs(KEYS) do
  local cur = redis.call('HMGET', key, 'owner', 'epoch', 'expiresAt')
  local epoch = tonumber(cur[2]) or 0
  local live = cur[1] and (tonumber(cur[3]) or 0) > tonumber(ARGV[2])
  if live and cur[1] ~= ARGV[1] then
    result[2 * i - 1] = 0
  else
    if not live then
      epoch = epoch + 1
    end
    redis.call('HSET', key, 'owner', ARGV[1], 'epoch', epoch, 'expiresAt', ARGV[3])
    result[2 * i - 1] = 1
  end
  result[2 * i] = epoch
end
return result
