-- Indexes a dialog under its Call-ID in one of a fixed number of bucket
-- hashes (a Redis hash of small values stays a listpack, ~45 bytes an
-- entry, where a set or a key per Call-ID cost ~200-320), and removes what
-- lapsed from the bucket: each call looks at two random entries and drops
-- those past their lapse, so lapsed entries stay a bounded share of a
-- bucket however dialogs end. The bucket lives at least as long as its
-- latest entry (never shortened).
--
-- KEYS[1]  <prefix>dlgcalls:{<bucket>}   hash <Call-ID tag><subscription id> -> lapse (ms, base 36)
-- ARGV[1]  field
-- ARGV[2]  lapse, ms in base 36 (the workers' clock)
-- ARGV[3]  now, ms in base 36 (the same clock)
-- ARGV[4]  ttl, ms (whole, at least 1)
--
-- Returns the number of lapsed entries dropped.
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local now = tonumber(ARGV[3], 36)
local sample = redis.call('HRANDFIELD', KEYS[1], 2, 'WITHVALUES')
local dropped = 0
for i = 1, #sample, 2 do
  if (tonumber(sample[i + 1], 36) or 0) <= now then
    redis.call('HDEL', KEYS[1], sample[i])
    dropped = dropped + 1
  end
end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return dropped
