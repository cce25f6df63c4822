-- A recipient's offline MESSAGE queue: first drops the lapsed messages at
-- its head (by the caller's clock, counted), then either reads it or
-- appends a message unless it holds the most live messages allowed. The id
-- is the queue's own sequence; list and sequence lapse with the newest
-- message (key TTL = its time to live).
--
-- KEYS[1]  <prefix>im:{<aor>}:offline   list of message JSON, oldest first
-- KEYS[2]  <prefix>im:{<aor>}:seq       string sequence of ids
-- ARGV[1]  'read' or 'store'
-- ARGV[2]  now, ms
-- read:  ARGV[3]  most messages returned (at least 1)
-- store: ARGV[3]  most live messages kept
--        ARGV[4]  time to live, ms (whole, at least 1)
--        ARGV[5]  the message JSON without its id, starting with '{'
--
-- Returns, for read, {expired, message JSON...}; for store, {1, id, expired}
-- when stored, {0, '', expired} when the queue is full.
local expired = 0
while true do
  local head = redis.call('LINDEX', KEYS[1], 0)
  if not head or tonumber(cjson.decode(head).expiresAt) > tonumber(ARGV[2]) then
    break
  end
  redis.call('LPOP', KEYS[1])
  expired = expired + 1
end
if ARGV[1] == 'read' then
  local result = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[3]) - 1)
  table.insert(result, 1, expired)
  return result
end
if redis.call('LLEN', KEYS[1]) >= tonumber(ARGV[3]) then
  return {0, '', expired}
end
local id = string.format('%016d', redis.call('INCR', KEYS[2]))
redis.call('RPUSH', KEYS[1], '{"id":"' .. id .. '",' .. string.sub(ARGV[5], 2))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return {1, id, expired}
