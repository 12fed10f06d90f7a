/**
 * The browser tests' OpenID Connect provider, run by Playwright beside the app
 * on OIDC_PORT; tests choose each identity with PUT /test/identities/<sub>.
 */
import { startTestOidcProvider } from "../../support/oidc-provider";
import { APP_URL, OIDC_CLIENT, OIDC_PORT } from "./env";

await startTestOidcProvider({
  port: OIDC_PORT,
  client: OIDC_CLIENT,
  redirectUris: [`${APP_URL}/api/auth/oauth2/callback/oidc`],
});
