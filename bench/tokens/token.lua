-- wrk script: OAuth2 client-credentials token requests (RFC 6749 §4.4).
--   CLIENT_ID=... CLIENT_SECRET=... wrk -t2 -c32 -d15s -s token.lua http://127.0.0.1:3001/token
-- Prints one parseable line at the end:
--   RESULT requests=N duration_s=S rps=R p50_ms=A p90_ms=B p99_ms=C non200=N socket_errors=E statuses=200:N,...
-- non200 counts every response whose status is not 200 (wrk's own "errors"
-- only counts >=400), so a run that silently served errors is visible.

-- Plain-Lua base64 (wrk may be built on Lua 5.1 without bit ops).
local b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(s)
  return ((s:gsub(".", function(c)
    local byte, bits = c:byte(), ""
    for i = 8, 1, -1 do bits = bits .. (byte % 2 ^ i - byte % 2 ^ (i - 1) > 0 and "1" or "0") end
    return bits
  end) .. "0000"):gsub("%d%d%d?%d?%d?%d?", function(x)
    if #x < 6 then return "" end
    local n = 0
    for i = 1, 6 do n = n + (x:sub(i, i) == "1" and 2 ^ (6 - i) or 0) end
    return b64chars:sub(n + 1, n + 1)
  end) .. ({ "", "==", "=" })[#s % 3 + 1])
end

-- RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding
-- (a no-op for the unreserved characters that generated secrets normally use).
local function formencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local id = os.getenv("CLIENT_ID")
  local secret = os.getenv("CLIENT_SECRET")
  if not id or not secret or id == "" or secret == "" then
    error("CLIENT_ID and CLIENT_SECRET must be set")
  end
  wrk.method = "POST"
  wrk.body = "grant_type=client_credentials"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Authorization"] = "Basic " .. base64(formencode(id) .. ":" .. formencode(secret))
  non200 = 0
  statuses = {}
end

function response(status, headers, body)
  statuses[tostring(status)] = (statuses[tostring(status)] or 0) + 1
  if status ~= 200 then non200 = non200 + 1 end
end

function done(summary, latency, requests)
  local bad, merged = 0, {}
  for _, t in ipairs(threads) do
    bad = bad + t:get("non200")
    for code, n in pairs(t:get("statuses")) do merged[code] = (merged[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(merged) do table.insert(parts, code .. ":" .. n) end
  table.sort(parts)
  local e = summary.errors
  local secs = summary.duration / 1e6
  if bad > 0 then io.stderr:write(string.format("WARNING: %d non-200 responses\n", bad)) end
  io.write(string.format(
    "RESULT requests=%d duration_s=%.2f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f non200=%d socket_errors=%d statuses=%s\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    bad, e.connect + e.read + e.write + e.timeout, table.concat(parts, ",")))
end
