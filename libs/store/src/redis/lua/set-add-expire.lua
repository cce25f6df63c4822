-- Adds a member to a set and keeps the set at least ARGV[2] ms longer,
-- never shortening it: an index whose members each lapse on their own
-- (the reader skips members whose record is gone).
--
-- KEYS[1]  set, e.g. <prefix>dlgcall:{<call-id>}
-- ARGV[1]  member
-- ARGV[2]  ttl, ms (whole, at least 1)
--
-- Returns 1.
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1
