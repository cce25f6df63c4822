-- Claims or releases one rls-services service URI (RFC 4826 §4.4.5: unique
-- across every document). The claim is a key of its own, in the URI's slot,
-- not the owner's: a document write is a second step, so a crash between
-- the two leaves a claim its holder does not list, which the XCAP server
-- takes over later by passing it as ARGV[4].
--
-- KEYS[1]  <prefix>xcapsvc:{<uri>}   string <claimedAt>\n<holder>
-- ARGV[1]  'claim' or 'release'
-- ARGV[2]  holder, the document as xcapHolderText writes it
-- ARGV[3]  claim: the new value, <claimedAt>\n<holder>
-- ARGV[4]  claim: the exact value it may replace, or ''
--
-- Returns, for claim, 1 when ARGV[2] now holds the URI, else the value that
-- stands; for release, 1 when ARGV[2] held it and no longer does, else 0.
local held = redis.call('GET', KEYS[1])
local holder = nil
if held then
  holder = string.sub(held, string.find(held, '\n', 1, true) + 1)
end
if ARGV[1] == 'release' then
  if holder == ARGV[2] then
    redis.call('DEL', KEYS[1])
    return 1
  end
  return 0
end
if not held or (ARGV[4] ~= '' and held == ARGV[4]) then
  redis.call('SET', KEYS[1], ARGV[3])
  return 1
end
if holder == ARGV[2] then return 1 end
return held
