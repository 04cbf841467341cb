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

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT rate=%.1f p50_ms=%.2f p99_ms=%.2f requests=%d non2xx=%d errors=%d\n",
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
