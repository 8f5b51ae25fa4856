/** The secret that signs cookies. server.ts refuses to start in production without SESSION_SECRET. */
export function sessionSecret() {
  const secret = process.env.SESSION_SECRET;
  if (secret) return secret;
  if (process.env.NODE_ENV === "production") throw new Error("SESSION_SECRET must be set in production");
  return "development-only-session-secret";
}

export const isProduction = () => process.env.NODE_ENV === "production";
