-- wrk script: POSTs client_credentials requests with HTTP Basic authentication and a DPoP proof. Each request sends the
-- next proof of PROOFS_FILE (one per line, each with its own jti: the server accepts a proof once); the wrk threads take
-- alternate lines, so no proof is sent twice while the file lasts. Environment: BASIC_AUTH (base64 of client_id:secret),
-- PROOFS_FILE.
local file = os.getenv("PROOFS_FILE")
local threads_started = 0

function setup(thread)
  thread:set("thread_index", threads_started)
  threads_started = threads_started + 1
end

local proofs = {}
local next_index
local headers

function init(args)
  for line in io.lines(file) do
    proofs[#proofs + 1] = line
  end
  next_index = (thread_index or 0) + 1
  -- Base64 of "id:secret" by the shell (BASIC_AUTH): Lua has no base64 of its own.
  headers = { ["Content-Type"] = "application/x-www-form-urlencoded", ["Authorization"] = "Basic " .. os.getenv("BASIC_AUTH") }
end

function request()
  headers["DPoP"] = proofs[next_index] or proofs[1]
  next_index = next_index + 2
  return wrk.format("POST", nil, headers, "grant_type=client_credentials")
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT rate=%.1f p50_ms=%.2f p99_ms=%.2f requests=%d non2xx=%d errors=%d\n",
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
