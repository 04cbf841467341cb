-- wrk script: POSTs client_credentials requests with HTTP Basic authentication.
-- Environment: CLIENT_ID, CLIENT_SECRET; DELAY_MS (optional) paces each connection for the fixed-rate run.
local id = os.getenv("CLIENT_ID")
local secret = os.getenv("CLIENT_SECRET")
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")

local b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(data)
  return ((data:gsub(".", function(x)
    local r, b = "", x:byte()
    for i = 8, 1, -1 do r = r .. (b % 2 ^ i - b % 2 ^ (i - 1) > 0 and "1" or "0") end
    return r
  end) .. "0000"):gsub("%d%d%d?%d?%d?%d?", function(x)
    if #x < 6 then return "" end
    local c = 0
    for i = 1, 6 do c = c + (x:sub(i, i) == "1" and 2 ^ (6 - i) or 0) end
    return b64chars:sub(c + 1, c + 1)
  end) .. ({ "", "==", "=" })[#data % 3 + 1])
end

-- Generated ids and secrets are URL-safe base64 or UUIDs: form-urlencoding leaves them unchanged.
wrk.method = "POST"
wrk.body = "grant_type=client_credentials"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. base64(id .. ":" .. secret)

-- Defined only when pacing: wrk calls delay() per request, which would cost the full-load run a Lua call each.
if delay_ms > 0 then
  function delay()
    return delay_ms
  end
end

-- done(): the RESULT line, from wrk-result.lua beside this script (found from this script's own path).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "wrk-result.lua")
