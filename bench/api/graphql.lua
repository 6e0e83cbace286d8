-- wrk script: GraphQL requests to Ferrite's /graphql (or GET /healthz), every response checked.
--   KIND=search_mpn|search_mpn_hits|multi_match|healthz TOKEN=... QUERIES=file \
--     wrk -t2 -c16 -d15s -s graphql.lua http://127.0.0.1:3003
-- KIND
--   search_mpn       supSearchMpn(q, limit: 10) with the part fields KiCost asks for (charged)
--   search_mpn_hits  the same supSearchMpn, selecting only `hits` (no part returned: nothing charged)
--   search_keyword   supSearch(q, limit: 10) with a keyword query ("10k 0603 resistor"), KiCost's part fields (charged)
--   multi_match      supMultiMatch with 20 queries of limit 5, KiCost's part fields (charged)
--   healthz          GET /healthz: the HTTP ceiling of the same server
-- QUERIES: one MPN per line as a JSON string (bench/lib/mpn_queries.py); each thread walks the
-- list from its own offset, so the threads do not send the same sequence.
-- Prints one parseable line at the end:
--   RESULT kind=K requests=N duration_s=S rps=R p50_ms=A p90_ms=B p99_ms=C non200=N gql_errors=N socket_errors=E first_error=...
-- gql_errors counts 200 responses whose body has a top-level "errors" member (GraphQL errors,
-- e.g. PartLimitExceeded); non200 every status other than 200.

-- KiCost's field set, as recorded in its Nexar test data (supMultiMatch query).
local PART = [[id slug mpn manufacturer { name id } shortDescription
  specs { attribute { shortname name id } displayValue } octopartUrl bestDatasheet { name url }
  sellers(authorizedOnly: false) { company { name id }
    offers { sku id inventoryLevel moq orderMultiple packaging prices { quantity price currency } onOrderQuantity clickUrl } }]]

local QUERIES = {
  search_mpn = "query($q: String!) { supSearchMpn(q: $q, limit: 10) { hits results { part { " .. PART .. " } } } }",
  search_mpn_hits = "query($q: String!) { supSearchMpn(q: $q, limit: 10) { hits } }",
  search_keyword = "query($q: String!) { supSearch(q: $q, limit: 10) { hits results { part { " .. PART .. " } } } }",
  multi_match = "query($queries: [SupPartMatchQuery!]!) { supMultiMatch(queries: $queries) { hits reference parts { " .. PART .. " } } }",
}

local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    if c == '"' then return '\\"' elseif c == "\\" then return "\\\\" else return string.format("\\u%04x", c:byte()) end
  end) .. '"'
end

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

local bodies, next_body = {}, 1

function init(args)
  kind = os.getenv("KIND") or "search_mpn"
  non200, gql_errors, first_error = 0, 0, ""
  if kind == "healthz" then
    wrk.method, wrk.path = "GET", "/healthz"
    return
  end
  local query = QUERIES[kind] or error("unknown KIND " .. kind)
  local token = os.getenv("TOKEN") or error("TOKEN must be set")
  local file = os.getenv("QUERIES") or error("QUERIES must be set")
  local mpns = {}
  for line in io.lines(file) do
    if line ~= "" then table.insert(mpns, line) end -- already JSON strings
  end
  assert(#mpns >= 20, "need at least 20 queries in " .. file)
  local q = json_string(query)
  if kind == "multi_match" then
    -- Every window of 20 consecutive MPNs is one request.
    for i = 1, #mpns do
      local items = {}
      for j = 0, 19 do
        local mpn = mpns[(i + j - 1) % #mpns + 1]
        table.insert(items, '{"mpn":' .. mpn .. ',"limit":5,"reference":"r' .. j .. '"}')
      end
      table.insert(bodies, '{"query":' .. q .. ',"variables":{"queries":[' .. table.concat(items, ",") .. ']}}')
    end
  else
    for _, mpn in ipairs(mpns) do
      table.insert(bodies, '{"query":' .. q .. ',"variables":{"q":' .. mpn .. '}}')
    end
  end
  next_body = (thread_index * 7919) % #bodies + 1
  wrk.method = "POST"
  wrk.path = "/graphql"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
end

function request()
  if kind == "healthz" then return wrk.format() end
  local body = bodies[next_body]
  next_body = next_body % #bodies + 1
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    if first_error == "" then first_error = status .. ":" .. body:sub(1, 200) end
  elseif kind ~= "healthz" and body:find('"errors"', 1, true) then
    gql_errors = gql_errors + 1
    if first_error == "" then first_error = body:sub(1, 200) end
  end
end

function done(summary, latency, requests)
  local bad, errs, first = 0, 0, ""
  for _, t in ipairs(threads) do
    bad = bad + t:get("non200")
    errs = errs + t:get("gql_errors")
    local f = t:get("first_error")
    if first == "" and f and f ~= "" then first = f end
  end
  local e = summary.errors
  local secs = summary.duration / 1e6
  if bad + errs > 0 then io.stderr:write(string.format("WARNING: %d non-200, %d GraphQL errors; first: %s\n", bad, errs, first)) end
  io.write(string.format(
    "RESULT kind=%s requests=%d duration_s=%.2f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f non200=%d gql_errors=%d socket_errors=%d first_error=%s\n",
    os.getenv("KIND") or "search_mpn", summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    bad, errs, e.connect + e.read + e.write + e.timeout, (first:gsub("%s+", " "))))
end
