-- Compare-and-set commit of one presentity record (ARCHITECTURE: every change
-- to a presentity is a compare-and-set on its revision inside one Lua script).
-- The record is never deleted and has no TTL: it stays as a tombstone so
-- revision and version never go back. `inc` is the record's incarnation: set
-- from ARGV[6] when the record is created, so a record lost with Redis's data
-- comes back under a new one and edges do not take its new versions as old.
--
-- Called with KEYS[2] and KEYS[3] (single Redis node only: they live in
-- another hash slot, which a Redis Cluster refuses), the commit also writes
-- the presentity's entry in its partition's expiry index, in the same atomic
-- step; without them the caller keeps the index around the commit in three
-- steps (presentity-index.ts). The settle rule still applies here: a pending
-- mark newer than the revision committed is another client's, between its
-- lower and its commit, and that client's settle writes the entry.
--
-- KEYS[1]  <prefix>pres:{<aor>}:doc   hash rev, ver, part, doc, pubs, inc
-- KEYS[2]  optional: <prefix>exp:{p:<n>}       zset  member -> expiry time, ms
-- KEYS[3]  optional: <prefix>exp:{p:<n>}:rev   hash  presentity member -> highest pending revision
-- ARGV[1]  expected revision
-- ARGV[2]  '1' when the composed document changed (bumps ver), else '0'
-- ARGV[3]  partition
-- ARGV[4]  composed document
-- ARGV[5]  publications, JSON (redis-codec.ts)
-- ARGV[6]  a fresh incarnation, used only if the record has none yet
-- ARGV[7]  with KEYS[2]: index member (expiry-member.ts)
-- ARGV[8]  with KEYS[2]: earliest publication expiry of the new revision, ms; '' for none
--
-- Returns {1, revision, version, previous partition or '', incarnation} when committed,
--         {0, revision, version, partition or '', incarnation or '', document, publications}
--         (the current record, the index untouched) when the revision did not match.
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
if KEYS[2] then
  local pending = tonumber(redis.call('HGET', KEYS[3], ARGV[7])) or 0
  if rev >= pending then
    if ARGV[8] == '' then
      redis.call('ZREM', KEYS[2], ARGV[7])
      redis.call('HDEL', KEYS[3], ARGV[7])
    else
      redis.call('ZADD', KEYS[2], ARGV[8], ARGV[7])
      redis.call('HSET', KEYS[3], ARGV[7], rev)
    end
  end
end
return {1, rev, ver, cur[3] or '', inc}
