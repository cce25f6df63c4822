-- Counts one failed authentication: increments the counter (starting over
-- when it lapsed by the caller's clock) and moves its lapse to ARGV[2], in
-- one step, so no counter is ever left without an expiry.
--
-- KEYS[1]  <prefix>authfail:{<key>}   hash n, lapse
-- ARGV[1]  now, ms
-- ARGV[2]  lapse, ms (now + ttl)
-- ARGV[3]  ttl, ms (whole, at least 1)
--
-- Returns the count, this failure included.
local cur = redis.call('HMGET', KEYS[1], 'n', 'lapse')
local n = 0
if cur[1] and (tonumber(cur[2]) or 0) > tonumber(ARGV[1]) then
  n = tonumber(cur[1]) or 0
end
n = n + 1
redis.call('HSET', KEYS[1], 'n', n, 'lapse', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return n
