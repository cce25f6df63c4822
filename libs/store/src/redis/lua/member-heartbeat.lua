-- Announces a worker as alive until ARGV[2] and drops members whose last
-- heartbeat lapsed before ARGV[3] (readers judge liveness by their own
-- clock; the cut-off only keeps the set small).
--
-- KEYS[1]  <prefix>members   zset  member -> lapse time, ms
-- ARGV[1]  member
-- ARGV[2]  lapse time, ms (now + ttl)
-- ARGV[3]  prune cut-off, ms
--
-- Returns 1.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1
