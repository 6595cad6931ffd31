-- wrk script for bench/bench_intake.py's /forge/events run: POSTs a Forge product event with a
-- Forge invocation token. Forge de-duplicates an event by its content (no delivery header), so
-- each request makes the comment's id unique: "__N__" in the body becomes run-thread-counter.
local counter = 0
function setup(thread) counter = counter + 1; thread:set("tid", counter) end
local f = io.open(os.getenv("BODY_FILE"), "r"); local template = f:read("*a"); f:close()
local path = os.getenv("HOOK_PATH")
local token = os.getenv("HOOK_TOKEN")
local system = os.getenv("SYSTEM_TOKEN")
local run = os.getenv("RUN_ID") or "r"
local n = 0
request = function()
  n = n + 1
  local body = template:gsub("__N__", run .. "-" .. tostring(tid) .. "-" .. n)
  local h = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token,
              ["x-forge-oauth-system"] = system }
  return wrk.format("POST", path, h, body)
end
function done(summary, latency, requests)
  io.write(string.format("non2xx=%d\n", summary.errors.status))
end
