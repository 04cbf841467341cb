// A partner's system as it would be written with openid-client or oauth4webapi: discovery, one client_credentials
// grant with the chosen client authentication, library defaults otherwise; then the access token is verified with
// jose against the issuer's JWKS. Prints one JSON line: {"token_type", "claims"}; exits 1 with the error on failure.
//
// Environment: LIBRARY (openid-client | oauth4webapi), ISSUER, CLIENT_ID, AUTH (client_secret_basic |
// client_secret_post | private_key_jwt), CLIENT_SECRET, or PRIVATE_KEY_JWK (a private JWK with "alg" and "kid"),
// SCOPE. HTTPS is trusted through NODE_EXTRA_CA_CERTS, as a partner's own certificate authority would be.
import * as client from 'openid-client';
import * as oauth from 'oauth4webapi';
import * as jose from 'jose';

const env = process.env;
const issuer = new URL(env.ISSUER);

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
  const tokens = await client.clientCredentialsGrant(config, { scope: env.SCOPE });
  return { tokens, metadata: config.serverMetadata() };
}

async function withOauth4WebApi() {
  const metadata = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer));
  const me = { client_id: env.CLIENT_ID };
  const auth = {
    client_secret_basic: () => oauth.ClientSecretBasic(env.CLIENT_SECRET),
    client_secret_post: () => oauth.ClientSecretPost(env.CLIENT_SECRET),
    private_key_jwt: async () => oauth.PrivateKeyJwt(await privateKey()),
  }[env.AUTH];
  const response = await oauth.clientCredentialsGrantRequest(metadata, me, await auth(), new URLSearchParams({ scope: env.SCOPE }));
  return { tokens: await oauth.processClientCredentialsResponse(metadata, me, response), metadata };
}

try {
  const { tokens, metadata } = env.LIBRARY === 'oauth4webapi' ? await withOauth4WebApi() : await withOpenIdClient();
  const keys = jose.createRemoteJWKSet(new URL(metadata.jwks_uri));
  const { payload } = await jose.jwtVerify(tokens.access_token, keys, { issuer: metadata.issuer });
  console.log(JSON.stringify({ token_type: tokens.token_type, claims: payload }));
} catch (error) {
  console.error(`${error.name}: ${error.message}${error.cause ? ` (${JSON.stringify(error.cause)})` : ''}`);
  process.exit(1);
}
