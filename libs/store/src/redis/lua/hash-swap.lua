-- Sets one field of a hash and returns what it held before (watcher upsert:
-- the caller needs the previous record's partition).
--
-- KEYS[1]  hash, e.g. <prefix>pres:{<aor>}:watchers
-- ARGV[1]  field
-- ARGV[2]  new value
--
-- Returns the previous value, or nil.
local previous = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return previous
