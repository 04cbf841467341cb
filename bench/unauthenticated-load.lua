-- wrk script: POSTs client_credentials requests with a made-up client_id each (client_secret_post, wrong secret).
-- Environment: IDS=guid (default: well-formed UUIDs, which could name an application) or IDS=random (20 random
-- letters); MAX_REQUESTS (per wrk thread) stops the thread after that many responses, so the total stays bounded.
local ids = os.getenv("IDS") or "guid"
local max_requests = tonumber(os.getenv("MAX_REQUESTS") or "100000")
local hex = "0123456789abcdef"
local letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
local responses = 0
local statuses = {}

local function pick(chars, n)
  local out = {}
  for i = 1, n do
    local k = math.random(1, #chars)
    out[i] = chars:sub(k, k)
  end
  return table.concat(out)
end

local function made_up_id()
  if ids == "random" then
    return pick(letters, 20)
  end
  return pick(hex, 8) .. "-" .. pick(hex, 4) .. "-" .. pick(hex, 4) .. "-" .. pick(hex, 4) .. "-" .. pick(hex, 12)
end

function setup(thread)
  thread:set("id", tostring(thread))
end

function init(args)
  math.randomseed(os.time() + tonumber(tostring(id):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
  return wrk.format("POST", nil, { ["Content-Type"] = "application/x-www-form-urlencoded" },
    "grant_type=client_credentials&client_id=" .. made_up_id() .. "&client_secret=wrong-secret-value")
end

function response(status, headers, body)
  responses = responses + 1
  if responses >= max_requests then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT attack_requests=%d rate=%.1f non2xx=%d errors=%d\n",
    summary.requests, summary.requests / seconds, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
