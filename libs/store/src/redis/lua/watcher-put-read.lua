-- Sets a watcher's field in its presentity's watcher hash and reads the
-- presentity record beside it, in one step: a subscription's answer carries
-- the presentity's state, and both keys share the presentity's slot.
--
-- KEYS[1]  <prefix>pres:{<aor>}:watchers   hash subscription id -> watcher
-- KEYS[2]  <prefix>pres:{<aor>}:doc        hash rev, ver, doc, pubs, inc
-- ARGV[1]  field (subscription id)
-- ARGV[2]  new value
--
-- Returns {previous value or nil, rev, ver, doc, pubs, inc} (each nil when absent).
local previous = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local cur = redis.call('HMGET', KEYS[2], 'rev', 'ver', 'doc', 'pubs', 'inc')
return {previous, cur[1], cur[2], cur[3], cur[4], cur[5]}
