import nodemailer from "nodemailer";
import { sendPending, type MailTransport } from "#app/models/outbox.server.ts";
import { getDb } from "#app/db.server.ts";

let cached: { url: string; transport: MailTransport } | null = null;

/**
 * The email server named by SMTP_URL (e.g. smtps://user:password@smtp.example.org), or null
 * when there is none: emails then wait in the outbox, readable on the outbox page.
 */
export function mailTransport(env: NodeJS.ProcessEnv = process.env): MailTransport | null {
  const url = env.SMTP_URL;
  if (!url) return null;
  if (cached?.url !== url) {
    const transporter = nodemailer.createTransport(url);
    const from = env.MAIL_FROM || `no-reply@${new URL(url).hostname || "localhost"}`;
    cached = {
      url,
      transport: {
        async send({ to, subject, text }) {
          await transporter.sendMail({ from, to, subject, text });
        },
      },
    };
  }
  return cached.transport;
}

/**
 * Where links in emails point: PUBLIC_URL, never anything from the request, whose Host (and
 * X-Forwarded-Host) the sender decides: an invitation asked for with `Host: evil.example` linked
 * there. Production refuses to start without it (server/origin.ts); in development and tests the
 * portal's local address stands in.
 */
export function publicBaseUrl(env: NodeJS.ProcessEnv = process.env) {
  const configured = env.PUBLIC_URL?.trim();
  if (configured) return configured.replace(/\/+$/, "");
  if (env.NODE_ENV === "production") throw new Error("PUBLIC_URL must be set in production: links in emails are built from it.");
  return `http://localhost${env.PORT ? `:${env.PORT}` : ""}`;
}

/**
 * Starts sending what waits in the outbox, without holding up the request that queued it. With
 * no email server, nothing happens. A failure stays recorded on the email, for the outbox page.
 */
export function deliverInBackground() {
  const transport = mailTransport();
  if (!transport) return;
  setImmediate(() => {
    void getDb()
      .then((db) => sendPending(db, transport))
      .catch((error: unknown) => console.error("Sending the outbox failed:", error));
  });
}
