// A partner's system getting DPoP-bound tokens (RFC 9449) with openid-client or oauth4webapi, library defaults
// otherwise: a generated ES256 key pair for the proofs, one client_credentials grant with the chosen client
// authentication, then one call to a protected resource with the token and a proof. A use_dpop_nonce answer is retried
// once with the nonce the server sent: openid-client does it itself, oauth4webapi leaves it to the caller
// (isDPoPNonceError). Prints one JSON line: {"token_type", "access_token", "jkt", "status", "body"}; exits 1 with the
// error on failure.
//
// Environment: LIBRARY (openid-client | oauth4webapi), ISSUER, CLIENT_ID, AUTH (client_secret_basic |
// client_secret_post | private_key_jwt), CLIENT_SECRET, or PRIVATE_KEY_JWK (a private JWK with "alg" and "kid"),
// SCOPE, RESOURCE (a path on the issuer, e.g. /connectivity). HTTPS is trusted through NODE_EXTRA_CA_CERTS.
import * as client from 'openid-client';
import * as oauth from 'oauth4webapi';
import * as jose from 'jose';

const env = process.env;
const issuer = new URL(env.ISSUER);
const resource = new URL(env.RESOURCE, issuer);

async function privateKey() {
  const jwk = JSON.parse(env.PRIVATE_KEY_JWK);
  return { key: await jose.importJWK(jwk, jwk.alg), kid: jwk.kid };
}

async function withOpenIdClient() {
  const auth = {
    client_secret_basic: () => client.ClientSecretBasic(env.CLIENT_SECRET),
    client_secret_post: () => client.ClientSecretPost(env.CLIENT_SECRET),
    private_key_jwt: async () => client.PrivateKeyJwt(await privateKey()),
  }[env.AUTH];
  const config = await client.discovery(issuer, env.CLIENT_ID, undefined, await auth());
  const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair());
  const tokens = await client.clientCredentialsGrant(config, { scope: env.SCOPE }, { DPoP });
  const response = await client.fetchProtectedResource(config, tokens.access_token, resource, 'GET', undefined, undefined, { DPoP });
  return { tokens, response, jkt: await DPoP.calculateThumbprint() };
}

/** oauth4webapi's documented pattern: retry once when the server asks for a (fresh) nonce. */
async function retryingOnNonce(request) {
  try {
    return await request();
  } catch (error) {
    if (oauth.isDPoPNonceError(error)) {
      return request();
    }
    throw error;
  }
}

async function withOauth4WebApi() {
  const metadata = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer));
  const me = { client_id: env.CLIENT_ID };
  const auth = {
    client_secret_basic: () => oauth.ClientSecretBasic(env.CLIENT_SECRET),
    client_secret_post: () => oauth.ClientSecretPost(env.CLIENT_SECRET),
    private_key_jwt: async () => oauth.PrivateKeyJwt(await privateKey()),
  }[env.AUTH];
  const clientAuth = await auth();
  const DPoP = oauth.DPoP(me, await oauth.generateKeyPair('ES256'));
  const tokens = await retryingOnNonce(async () => oauth.processClientCredentialsResponse(metadata, me,
    await oauth.clientCredentialsGrantRequest(metadata, me, clientAuth, new URLSearchParams({ scope: env.SCOPE }), { DPoP })));
  const response = await retryingOnNonce(() => oauth.protectedResourceRequest(tokens.access_token, 'GET', resource, undefined, undefined, { DPoP }));
  return { tokens, response, jkt: await DPoP.calculateThumbprint() };
}

try {
  const { tokens, response, jkt } = env.LIBRARY === 'oauth4webapi' ? await withOauth4WebApi() : await withOpenIdClient();
  console.log(JSON.stringify({
    token_type: tokens.token_type, access_token: tokens.access_token, jkt, status: response.status, body: await response.json(),
  }));
} catch (error) {
  console.error(`${error.name}: ${error.message}${error.cause ? ` (${JSON.stringify(error.cause)})` : ''}`);
  process.exit(1);
}
