-- wrk script for bench/bench_intake.py: POSTs a captured payload with a fresh delivery identifier each time.
local counter = 0
function setup(thread) counter = counter + 1; thread:set("tid", counter) end
local f = io.open(os.getenv("BODY_FILE"), "r"); local body = f:read("*a"); f:close()
local path = os.getenv("HOOK_PATH")
local token = os.getenv("HOOK_TOKEN")
local run = os.getenv("RUN_ID") or "r"
local n = 0
request = function()
  n = n + 1
  local h = { ["Content-Type"] = "application/json", ["Authorization"] = "JWT " .. token,
              ["X-Atlassian-Webhook-Identifier"] = run .. "-" .. tostring(tid) .. "-" .. n, ["X-Atlassian-Webhook-Retry"] = "0" }
  return wrk.format("POST", path, h, body)
end
function done(summary, latency, requests)
  io.write(string.format("non2xx=%d\n", summary.errors.status))
end
