-- wrk script: POSTs client_credentials requests with private_key_jwt. Each request sends the next assertion of
-- ASSERTIONS_FILE (one per line, each with its own jti: the server accepts an assertion once); the wrk threads take
-- alternate lines, so no assertion is sent twice while the file lasts.
local file = os.getenv("ASSERTIONS_FILE")
local threads_started = 0

function setup(thread)
  thread:set("thread_index", threads_started)
  threads_started = threads_started + 1
end

local assertions = {}
local next_index

function init(args)
  for line in io.lines(file) do
    assertions[#assertions + 1] = line
  end
  next_index = (thread_index or 0) + 1
end

local prefix = "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion="
local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }

function request()
  local assertion = assertions[next_index] or assertions[1]
  next_index = next_index + 2
  return wrk.format("POST", nil, headers, prefix .. assertion)
end

-- done(): the RESULT line, from wrk-result.lua beside this script (found from this script's own path).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "wrk-result.lua")
