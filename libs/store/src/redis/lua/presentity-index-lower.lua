-- Before a presentity commit: lowers (or creates) the presentity's entry in
-- its partition's expiry index to the earliest publication expiry the commit
-- will store, and records the revision the commit will create as pending, so
-- that no settle of an older revision can raise the entry meanwhile (see
-- presentity-index.ts for the whole argument).
--
-- KEYS[1]  <prefix>exp:{p:<n>}       zset  member -> expiry time, ms
-- KEYS[2]  <prefix>exp:{p:<n>}:rev   hash  presentity member -> highest pending revision
-- ARGV[1]  member (expiry-member.ts)
-- ARGV[2]  earliest publication expiry, ms
-- ARGV[3]  revision the commit will create
--
-- Returns 1.
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(ARGV[2]) < tonumber(score) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
end
local pending = tonumber(redis.call('HGET', KEYS[2], ARGV[1])) or 0
if tonumber(ARGV[3]) > pending then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
end
return 1
