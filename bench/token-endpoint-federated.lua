-- wrk script: POSTs client_credentials requests authenticated with a federated identity: client_id and, as the client
-- assertion, the one external token in TOKEN_FILE (a Kubernetes projected token), the same in every request, as a pod
-- rereads the same file until the kubelet renews it.
local file = io.open(os.getenv("TOKEN_FILE"))
local token = file:read("*l")
file:close()

local body = "grant_type=client_credentials&client_id=" .. os.getenv("CLIENT_ID")
  .. "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=" .. token
local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }

function request()
  return wrk.format("POST", nil, headers, body)
end

-- done(): the RESULT line, from wrk-result.lua beside this script (found from this script's own path).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "wrk-result.lua")
