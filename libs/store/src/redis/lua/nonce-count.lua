-- Records a nonce count as used if it is above every count used before with
-- that nonce (RFC 7616 §3.4: a repeated or lower count is a replay). The
-- record lapses at ARGV[3] by the caller's clock (never Redis TIME); the key
-- TTL only collects it.
--
-- KEYS[1]  <prefix>nc:{<nonce>}   hash nc, lapse
-- ARGV[1]  nonce count
-- ARGV[2]  now, ms
-- ARGV[3]  lapse, ms (now + ttl)
-- ARGV[4]  ttl, ms (whole, at least 1)
--
-- Returns 1 when accepted (and recorded), 0 when refused (nothing changes).
local cur = redis.call('HMGET', KEYS[1], 'nc', 'lapse')
local used = tonumber(cur[1])
if used and (tonumber(cur[2]) or 0) > tonumber(ARGV[2]) and tonumber(ARGV[1]) <= used then
  return 0
end
redis.call('HSET', KEYS[1], 'nc', ARGV[1], 'lapse', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
