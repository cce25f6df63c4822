-- Removes one field of a hash and returns what it held (watcher removal).
--
-- KEYS[1]  hash, e.g. <prefix>pres:{<aor>}:watchers
-- ARGV[1]  field
--
-- Returns the removed value, or nil when the field was not there.
local previous = redis.call('HGET', KEYS[1], ARGV[1])
if previous then
  redis.call('HDEL', KEYS[1], ARGV[1])
end
return previous
