// A small OpenID Connect provider for the end-to-end tests (Node's own http and crypto, no
// packages): discovery, an authorization endpoint that signs in the test user at once (no
// login form), a token endpoint that checks the client secret and the PKCE S256 verifier and
// answers an RS256 ID token, and its key as a JWK set. Started by playwright.config.ts.
//
//   node idp/server.mjs   (E2E_IDP_PORT, default 3190; E2E_OIDC_SECRET: the client secret)
import http from "node:http";
import crypto from "node:crypto";

const port = Number(process.env.E2E_IDP_PORT ?? 3190);
const issuer = `http://127.0.0.1:${port}/realms/camunda`;
const clientId = "backup-console";
const clientSecret = process.env.E2E_OIDC_SECRET ?? "";
const user = { sub: "u-ada", preferred_username: "ada", realm_access: { roles: ["camunda-admin"] } };

const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: "jwk" }), kid: "e2e-1", use: "sig", alg: "RS256" };
const grants = new Map();

const b64url = (buf) => Buffer.from(buf).toString("base64url");
function sign(claims) {
  const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT", kid: jwk.kid }));
  const body = b64url(JSON.stringify(claims));
  const signature = crypto.sign("sha256", Buffer.from(`${header}.${body}`), privateKey);
  return `${header}.${body}.${b64url(signature)}`;
}

function json(res, status, value) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

async function readBody(req) {
  let text = "";
  for await (const chunk of req) text += chunk;
  return new URLSearchParams(text);
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  const path = url.pathname.replace("/realms/camunda", "");
  if (req.method === "GET" && path === "/.well-known/openid-configuration") {
    return json(res, 200, {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ["code"],
      code_challenge_methods_supported: ["S256"],
      id_token_signing_alg_values_supported: ["RS256"],
    });
  }
  if (req.method === "GET" && path === "/jwks") return json(res, 200, { keys: [jwk] });
  if (req.method === "GET" && path === "/authorize") {
    const q = url.searchParams;
    if (q.get("client_id") !== clientId || q.get("code_challenge_method") !== "S256" || !q.get("code_challenge")) {
      return json(res, 400, { error: "invalid_request" });
    }
    const code = crypto.randomBytes(16).toString("hex");
    grants.set(code, { challenge: q.get("code_challenge"), nonce: q.get("nonce"), redirect: q.get("redirect_uri") });
    const back = new URL(q.get("redirect_uri"));
    back.searchParams.set("code", code);
    back.searchParams.set("state", q.get("state") ?? "");
    res.writeHead(302, { location: back.toString() });
    return res.end();
  }
  if (req.method === "POST" && path === "/token") {
    const form = await readBody(req);
    const expected = "Basic " + Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString("base64");
    if (req.headers.authorization !== expected) return json(res, 401, { error: "invalid_client" });
    const grant = grants.get(form.get("code"));
    grants.delete(form.get("code"));
    const verifier = form.get("code_verifier") ?? "";
    const challenge = b64url(crypto.createHash("sha256").update(verifier).digest());
    if (!grant || grant.challenge !== challenge || grant.redirect !== form.get("redirect_uri")) {
      return json(res, 400, { error: "invalid_grant" });
    }
    const now = Math.floor(Date.now() / 1000);
    const idToken = sign({ ...user, iss: issuer, aud: clientId, iat: now, exp: now + 300, nonce: grant.nonce });
    return json(res, 200, { access_token: "e2e", token_type: "Bearer", expires_in: 300, id_token: idToken });
  }
  json(res, 404, { error: "not_found" });
});

server.listen(port, "127.0.0.1", () => {
  process.stdout.write(`test identity provider at ${issuer}\n`);
});
