-- Gives a lock up if ARGV[1] holds it.
--
-- KEYS[1]  lock key, e.g. <prefix>im:{<aor>}:lock   string owner
-- ARGV[1]  owner
--
-- Returns 1 when released, 0 when ARGV[1] did not hold it.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
