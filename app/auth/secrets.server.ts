/** The secret that signs cookies. server.ts refuses to start in production without SESSION_SECRET. */
export function sessionSecret() {
  const secret = process.env.SESSION_SECRET;
  if (secret) return secret;
  if (process.env.NODE_ENV === "production") throw new Error("SESSION_SECRET must be set in production");
  return "development-only-session-secret";
}

export const isProduction = () => process.env.NODE_ENV === "production";

/**
 * Cookies are Secure in production, unless the portal's address (PUBLIC_URL) is plain http, as on
 * the embedded database under `npm start` at http://localhost: Safari drops Secure cookies there,
 * so nobody could sign in.
 */
export const secureCookies = () => isProduction() && !process.env.PUBLIC_URL?.startsWith("http:");
