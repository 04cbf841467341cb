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

-- done(): the RESULT line, from wrk-result.lua beside this script (found from this script's own path).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "wrk-result.lua")
