// Reference OAuth2 client-credentials server for the Ferrite token benchmark:
// node-oidc-provider 9 issuing JWT access tokens (24 h TTL) for one static client.
//
// Env: PORT (default 3001), ALG (RS256 | ES256, default RS256),
//      WORKERS (node:cluster processes sharing the port, default 1).
// Prints "listening on http://127.0.0.1:PORT" once every worker is accepting.
import cluster from 'node:cluster';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const PORT = Number(process.env.PORT || 3001);
const ALG = process.env.ALG || 'RS256';
const WORKERS = Number(process.env.WORKERS || 1);
const ISSUER = `http://127.0.0.1:${PORT}`;
// The single protected API; every client_credentials token is minted for it.
const RESOURCE = 'https://api.bench.example/';

// One RSA 2048 and one P-256 signing key; `ALG` picks which one signs tokens.
function makeJwks() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  return {
    keys: [
      { ...rsa.export({ format: 'jwk' }), kid: 'rs-1', use: 'sig', alg: 'RS256' },
      { ...ec.export({ format: 'jwk' }), kid: 'es-1', use: 'sig', alg: 'ES256' },
    ],
  };
}

// The adapter is never touched on this path: JWT-format ClientCredentials
// tokens are not persisted (BaseModel#save only upserts opaque payloads), and
// the client is static. Supplying one avoids the dev-only in-memory adapter.
class NoStoreAdapter {
  async upsert() {}
  async find() { return undefined; }
  async findByUserCode() { return undefined; }
  async findByUid() { return undefined; }
  async consume() {}
  async destroy() {}
  async revokeByGrantId() {}
}

function config(jwks) {
  return {
    adapter: NoStoreAdapter,
    jwks,
    clients: [{
      client_id: 'bench',
      client_secret: 'bench-secret-bench-secret-bench-secret-00',
      grant_types: ['client_credentials'],
      response_types: [],
      // A client registered for client_secret_basic is also accepted with
      // client_secret_post (lib/shared/client_auth.js allows both for secrets).
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    cookies: { keys: ['bench-cookie-key-not-used-on-token-endpoint'] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Called with no resource param: lets a bare grant_type=client_credentials
        // get a JWT for RESOURCE instead of an opaque token.
        defaultResource: async () => RESOURCE,
        getResourceServerInfo: async () => ({
          scope: 'supply.domain',
          accessTokenFormat: 'jwt',
          accessTokenTTL: 86400,
          jwt: { sign: { alg: ALG } },
        }),
      },
    },
    // Explicit (the default does the same but warns on first use).
    ttl: { ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL || 86400 },
  };
}

// Entry point last: the class above must be initialised before config() runs.
if (cluster.isPrimary && WORKERS > 1) {
  // Keys are generated once in the primary and handed to the workers, so all
  // workers sign with the same key (one JWKS, like a real deployment).
  process.env.BENCH_JWKS = JSON.stringify(makeJwks());
  let ready = 0;
  cluster.on('message', (_w, msg) => {
    if (msg === 'ready' && ++ready === WORKERS) console.log(`listening on ${ISSUER}`);
  });
  cluster.on('exit', () => process.exit(1)); // a dead worker would skew numbers: fail loudly
  for (let i = 0; i < WORKERS; i++) cluster.fork();
  const stop = () => { for (const w of Object.values(cluster.workers)) w.kill(); process.exit(0); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  const jwks = process.env.BENCH_JWKS ? JSON.parse(process.env.BENCH_JWKS) : makeJwks();
  const provider = new Provider(ISSUER, config(jwks));
  provider.listen(PORT, '127.0.0.1', () => {
    if (cluster.isWorker) process.send('ready');
    else console.log(`listening on ${ISSUER}`);
  });
}
