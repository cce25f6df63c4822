-- Removes the message with id ARGV[1] from a recipient's offline queue
-- (delivered). The queue is bounded (--offline-messages-per-user), so the
-- scan is too; the message delivered is nearly always the head.
--
-- KEYS[1]  <prefix>im:{<aor>}:offline   list of message JSON, oldest first
-- ARGV[1]  id
--
-- Returns the messages left.
local entries = redis.call('LRANGE', KEYS[1], 0, -1)
for _, entry in ipairs(entries) do
  if cjson.decode(entry).id == ARGV[1] then
    redis.call('LREM', KEYS[1], 1, entry)
    break
  end
end
return redis.call('LLEN', KEYS[1])
