// A real OpenID Connect provider (the npm oidc-provider) for the portal's sign-in tests, on 127.0.0.1.
// Configured from the environment: OIDC_PORT, OIDC_CLIENTS and OIDC_ACCOUNTS (JSON). Anyone can sign in
// with any login (the development interactions); known logins get the claims in OIDC_ACCOUNTS (Microsoft
// Entra ID's "tid" and "oid" among them, with the openid scope). By default the ID token holds only "sub"
// and userinfo the rest; with OIDC_ID_TOKEN_CLAIMS=1 the ID token holds them all, as Entra ID's does.
import { exportJWK, generateKeyPair } from "jose";
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.OIDC_CLIENTS);
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || "{}");

const { privateKey } = await generateKeyPair("RS256", { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), kid: "tests", alg: "RS256", use: "sig" };

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [signingKey] },
  cookies: { keys: ["portal-tests-only"] },
  claims: { openid: ["sub", "tid", "oid"], email: ["email", "email_verified"], profile: ["name"] },
  conformIdTokenClaims: process.env.OIDC_ID_TOKEN_CLAIMS !== "1",
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  pkce: { required: () => true, methods: ["S256"] },
  // Consent is taken as given, so a sign-in is one login form.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope("openid email profile");
    await grant.save();
    return grant;
  },
  async findAccount(_ctx, id) {
    const known = accounts[id] ?? { email: `${id}@unprovisioned.example`, email_verified: true };
    return { accountId: id, claims: async () => ({ sub: id, ...known }) };
  },
});

provider.listen(port, "127.0.0.1", () => console.log(`ready ${issuer}`));
