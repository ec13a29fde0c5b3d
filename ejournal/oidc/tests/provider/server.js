// A real OpenID Connect provider for ejournal's oidc tests (oidc-provider, certified).
// Usage: node server.js <port> <config.json>. The JSON holds the client (id, secret,
// redirect and post-logout URIs) and the accounts with their claims. A second port
// (port + 1) serves the same provider's discovery with a token endpoint that spoils the
// ID token's signature on the way back: the "tampered ID token" journey.
import { readFileSync } from "node:fs";
import http from "node:http";
import Provider from "oidc-provider";

const port = Number(process.argv[2]);
const config = JSON.parse(readFileSync(process.argv[3], "utf8"));
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [config.client],
  pkce: { required: () => true },
  claims: {
    openid: ["sub"],
    profile: ["family_name", "given_name", "middle_name", "birthdate", "snils", "acr", "amr"],
  },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  cookies: { keys: ["ejournal-test-provider"] },
  async findAccount(ctx, id) {
    const claims = config.accounts[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
});
provider.listen(port, "127.0.0.1", () => console.log(`listening ${issuer}`));

const spoiler = http.createServer(async (req, res) => {
  const body = await new Promise((resolve) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
  });
  if (req.url.startsWith("/.well-known/openid-configuration")) {
    const meta = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    meta.token_endpoint = `http://127.0.0.1:${port + 1}/token`;
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(JSON.stringify(meta));
  }
  const headers = { ...req.headers };
  delete headers.host;
  delete headers["content-length"];
  const upstream = await fetch(`${issuer}${req.url}`, { method: req.method, headers, body });
  const answer = await upstream.json();
  if (answer.id_token) {
    const [head, payload, signature] = answer.id_token.split(".");
    const flipped = (signature[0] === "A" ? "B" : "A") + signature.slice(1);
    answer.id_token = [head, payload, flipped].join(".");
  }
  res.writeHead(upstream.status, { "content-type": "application/json" });
  res.end(JSON.stringify(answer));
});
spoiler.listen(port + 1, "127.0.0.1");
