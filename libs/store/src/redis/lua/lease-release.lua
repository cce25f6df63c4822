-- Gives a partition's lease up if ARGV[1] holds it; the epoch stays.
--
-- KEYS[1]  <prefix>lease:{p:<n>}   hash owner, epoch, expiresAt
-- ARGV[1]  owner
--
-- Returns 1 when released, 0 when ARGV[1] did not hold it.
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'owner', 'expiresAt')
  return 1
end
return 0
