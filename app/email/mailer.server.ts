import { Readable } from "node:stream";
import nodemailer from "nodemailer";
import { DeliveryUncertain, type MailTransport } from "#app/models/outbox.server.ts";
import { getDb } from "#app/db.server.ts";
import { runSoon, SEND_OUTBOX } from "#app/worker/queue.server.ts";

let cached: { url: string; transport: MailTransport } | null = null;

/**
 * The email server named by SMTP_URL (e.g. smtps://user:password@smtp.example.org), or null
 * when there is none: emails then wait in the outbox, readable on the outbox page.
 *
 * The handover is committed when nodemailer first reads the body, which it does once it has
 * connected, greeted and signed in, as it starts the envelope: a relay that is slow or down costs a
 * retry, never an uncertain email. After the handover, a failure with the server's answer (a 4xx or
 * 5xx reply) is a refusal; one without (the connection lost, a timeout) may have followed an
 * acceptance, so it is uncertain.
 */
export function mailTransport(env: NodeJS.ProcessEnv = process.env): MailTransport | null {
  const url = env.SMTP_URL;
  if (!url) return null;
  if (cached?.url !== url) {
    // Every wait well inside a worker's lease (WORKER_LEASE_SECONDS), so that no other worker
    // takes an email over while this one still waits on the server.
    const transporter = nodemailer.createTransport({ url, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 });
    const from = env.MAIL_FROM || `no-reply@${new URL(url).hostname || "localhost"}`;
    const domain = from.split("@").pop() || "localhost";
    cached = {
      url,
      transport: {
        async send({ to, subject, text, idempotencyKey }, handOver) {
          let reading = false;
          let handedOver = false;
          const body = new Readable({
            read() {
              if (reading) return;
              reading = true;
              handOver().then(
                () => {
                  handedOver = true;
                  this.push(text);
                  this.push(null);
                },
                (error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))),
              );
            },
          });
          try {
            await transporter.sendMail({ from, to, subject, text: body, messageId: `<${idempotencyKey}@${domain}>` });
          } catch (error) {
            if (handedOver && !(error instanceof Error && "responseCode" in error)) {
              throw new DeliveryUncertain(`no answer after the handover: ${error instanceof Error ? error.message : String(error)}`, {
                cause: error,
              });
            }
            throw error;
          }
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
 * Asks the worker to send the outbox at its next look (within seconds) rather than at its next
 * scheduled run, without holding up the request that queued the email. With no email server,
 * nothing happens.
 */
export function deliverInBackground() {
  if (!mailTransport()) return;
  setImmediate(() => {
    void getDb()
      .then((db) => runSoon(db, SEND_OUTBOX))
      .catch((error: unknown) => console.error("Asking for the outbox to be sent failed:", error));
  });
}
