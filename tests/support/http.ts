import { DEMO_TOTP_SECRET, freshCode } from "./two-factor.ts";

/**
 * A browser, as far as the server can tell: a cookie jar, pages read for their CSRF token and lock
 * version, forms posted, redirects not followed. For tests against a running portal (startPortal,
 * spawnPortal).
 */
export class HttpVisitor {
  readonly cookies = new Map<string, string>();
  /** Every Set-Cookie header the server sent, as sent. */
  readonly setCookies: string[] = [];

  constructor(readonly base: () => string) {}

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private keep(response: Response) {
    for (const cookie of response.headers.getSetCookie()) {
      this.setCookies.push(cookie);
      const [pair] = cookie.split(";");
      const [name, ...value] = pair!.split("=");
      if (/Max-Age=0/i.test(cookie)) this.cookies.delete(name!);
      else this.cookies.set(name!, value.join("="));
    }
  }

  async fetch(path: string, init: RequestInit = {}) {
    const headers = new Headers(init.headers);
    const cookies = this.cookieHeader();
    if (cookies) headers.set("Cookie", cookies);
    const response = await fetch(`${this.base()}${path}`, { ...init, redirect: "manual", headers });
    this.keep(response);
    return response;
  }

  /** A page, with the CSRF token and the lock version its forms carry. */
  async page(path: string) {
    const response = await this.fetch(path);
    const html = await response.text();
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${response.headers.get("Location") ?? ""}`);
    const csrf = html.match(/name="csrf" value="([^"]+)"/)?.[1] ?? "";
    const lockVersion = html.match(/name="lockVersion" value="(\d+)"/)?.[1];
    return { html, csrf, lockVersion: lockVersion === undefined ? null : Number(lockVersion) };
  }

  post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return this.fetch(path, {
      method: "POST",
      body: new URLSearchParams(fields),
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    });
  }

  /**
   * Signs in through the sign-in page, as a person would; the response to the form, or for an
   * account with a second factor, to the code's form (the demo coordinator's code, unless
   * `totpSecret` says whose).
   */
  async signIn(
    email: string,
    password = "demo-password-2023",
    headers: Record<string, string> = {},
    { totpSecret = DEMO_TOTP_SECRET }: { totpSecret?: string } = {},
  ) {
    const { csrf } = await this.page("/login");
    const response = await this.post("/login", { csrf, email, password }, headers);
    const next = response.headers.get("Location") ?? "";
    if (response.status !== 302 || !next.startsWith("/login/code")) return response;
    const page = await this.page(next);
    const returnTo = (page.html.match(/name="returnTo" value="([^"]*)"/)?.[1] ?? "/").replaceAll("&amp;", "&");
    const code = await freshCode(totpSecret, `${this.base()} ${email}`);
    return this.post("/login/code", { csrf: page.csrf, returnTo, kind: "code", code }, headers);
  }
}
