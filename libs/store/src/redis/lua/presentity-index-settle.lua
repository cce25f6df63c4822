-- After a presentity commit (or a failed one): sets the presentity's expiry
-- entry to the exact earliest publication expiry of the revision now stored,
-- or removes it when that revision has no publications, unless a newer
-- revision is pending (its own settle will write the entry).
--
-- KEYS[1]  <prefix>exp:{p:<n>}       zset  member -> expiry time, ms
-- KEYS[2]  <prefix>exp:{p:<n>}:rev   hash  presentity member -> highest pending revision
-- ARGV[1]  member (expiry-member.ts)
-- ARGV[2]  revision the caller saw stored
-- ARGV[3]  earliest publication expiry of that revision, ms; '' for none
--
-- Returns 1 when applied, 0 when skipped for a newer pending revision.
local pending = tonumber(redis.call('HGET', KEYS[2], ARGV[1])) or 0
if tonumber(ARGV[2]) < pending then
  return 0
end
if ARGV[3] == '' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
else
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
end
return 1
