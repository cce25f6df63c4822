-- Compare-and-set commit of one presentity record (ARCHITECTURE: every change
-- to a presentity is a compare-and-set on its revision inside one Lua script).
-- The record is never deleted and has no TTL: it stays as a tombstone so
-- revision and version never go back. `inc` is the record's incarnation: set
-- from ARGV[6] when the record is created, so a record lost with Redis's data
-- comes back under a new one and edges do not take its new versions as old.
--
-- KEYS[1]  <prefix>pres:{<aor>}:doc   hash rev, ver, part, doc, pubs, inc
-- ARGV[1]  expected revision
-- ARGV[2]  '1' when the composed document changed (bumps ver), else '0'
-- ARGV[3]  partition
-- ARGV[4]  composed document
-- ARGV[5]  publications, JSON (redis-codec.ts)
-- ARGV[6]  a fresh incarnation, used only if the record has none yet
--
-- Returns {1, revision, version, previous partition or '', incarnation} when committed,
--         {0, revision, version, partition or '', incarnation or '', document, publications}
--         (the current record) when the revision did not match.
local cur = redis.call('HMGET', KEYS[1], 'rev', 'ver', 'part', 'doc', 'pubs', 'inc')
local rev = tonumber(cur[1]) or 0
local ver = tonumber(cur[2]) or 0
if rev ~= tonumber(ARGV[1]) then
  return {0, rev, ver, cur[3] or '', cur[6] or '', cur[4] or '', cur[5] or '[]'}
end
local inc = cur[6] or ARGV[6]
rev = rev + 1
if ARGV[2] == '1' then
  ver = ver + 1
end
redis.call('HSET', KEYS[1], 'rev', rev, 'ver', ver, 'part', ARGV[3], 'doc', ARGV[4], 'pubs', ARGV[5], 'inc', inc)
return {1, rev, ver, cur[3] or '', inc}
