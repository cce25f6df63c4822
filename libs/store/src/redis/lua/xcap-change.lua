-- Compare-and-set change of one XCAP document, a write or a delete: checks
-- If-Match / If-None-Match against the stored entity tag (the rules of
-- xcapConditionsHold in @presence/core), then stores the new value or removes
-- the field. No TTL: documents are durable, not soft state.
--
-- KEYS[1]  <prefix>xcap:{<owner>}   hash <auid>/<filename> -> <entity tag>\n<document>
-- ARGV[1]  field, <auid>/<filename>
-- ARGV[2]  If-Match tag, '*' or '' for none
-- ARGV[3]  If-None-Match tag, '*' or '' for none
-- ARGV[4]  new value, <new entity tag>\n<document>; '' to delete
--
-- Returns 0 when a condition failed (nothing changes), -1 when deleting a
-- document that is not there, else 1 when a write created the document or
-- a delete removed it, 2 when a write replaced it.
local stored = redis.call('HGET', KEYS[1], ARGV[1])
local current = nil
if stored then
  current = string.sub(stored, 1, string.find(stored, '\n', 1, true) - 1)
end
if ARGV[2] ~= '' then
  if not current then return 0 end
  if ARGV[2] ~= '*' and ARGV[2] ~= current then return 0 end
end
if ARGV[3] ~= '' and current then
  if ARGV[3] == '*' or ARGV[3] == current then return 0 end
end
if ARGV[4] == '' then
  if not current then return -1 end
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 1
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
if current then return 2 end
return 1
