// A partner's own OAuth server for the federation tests: node-oidc-provider on a loopback port, with one
// client_credentials client, issuing JWT access tokens (RS256, typ at+jwt) whose aud is our token service's issuer
// identifier (AUDIENCE) through its resource indicators feature. The tests exchange such a token at our token endpoint.
//
// Environment: CLIENT_ID, CLIENT_SECRET, AUDIENCE. Prints one JSON line {"issuer": "http://127.0.0.1:PORT"} once it
// listens, then serves until it is killed or its standard input closes (the test process went away).
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors } from 'oidc-provider';

const { CLIENT_ID, CLIENT_SECRET, AUDIENCE } = process.env;
if (!CLIENT_ID || !CLIENT_SECRET || !AUDIENCE) {
  console.error('federated-issuer.mjs needs CLIENT_ID, CLIENT_SECRET and AUDIENCE');
  process.exit(2);
}

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), kid: 'partner-' + randomBytes(4).toString('hex'), use: 'sig', alg: 'RS256' };

// The issuer names its port, so the port is taken first and the provider attached to the listening server.
const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  }],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // A client that names no resource gets a token for us: the only resource server this partner knows.
      defaultResource: () => AUDIENCE,
      getResourceServerInfo: (ctx, resourceIndicator) => {
        if (resourceIndicator !== AUDIENCE) {
          throw new errors.InvalidTarget();
        }
        return { scope: '', audience: AUDIENCE, accessTokenFormat: 'jwt', accessTokenTTL: 600 };
      },
    },
  },
});
server.on('request', provider.callback());

console.log(JSON.stringify({ issuer }));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
