/**
 * Listening, and stopping gracefully. On SIGTERM (or SIGINT) the instance reports itself not ready,
 * stops accepting connections, lets the requests in flight finish (up to SHUTDOWN_TIMEOUT_MS, then
 * closes what is left), runs `onClose` (the in-process worker, the pool or the embedded database)
 * and exits 0. Idle keep-alive connections are closed at once and every response in the meantime
 * says `Connection: close`, so a proxy or client sends its next request to another instance.
 */
import { createServer, type Server } from "node:http";
import type { Express } from "express";
import type { Logger } from "pino";
import type { Lifecycle } from "./health.ts";

export interface Serving {
  server: Server;
  /** Resolves when the server has stopped and `onClose` has run. */
  shutdown(reason: string): Promise<void>;
}

export function serve(
  app: Express,
  {
    port,
    shutdownTimeoutMs,
    lifecycle,
    logger,
    onClose,
  }: { port: number; shutdownTimeoutMs: number; lifecycle: Lifecycle; logger: Logger; onClose: () => Promise<void> },
): Promise<Serving> {
  const server = createServer(app);
  // Keep-alive longer than a typical proxy's idle timeout, so the proxy closes idle connections, not us mid-request.
  server.keepAliveTimeout = 65_000;
  const inFlight = new Set<import("node:http").ServerResponse>();
  server.on("request", (_req, res) => {
    inFlight.add(res);
    res.once("close", () => inFlight.delete(res));
  });

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string) => {
    stopping ??= (async () => {
      lifecycle.shuttingDown = true;
      logger.info({ reason, inFlight: inFlight.size }, "shutting down: finishing requests in flight");
      for (const res of inFlight) if (!res.headersSent) res.setHeader("Connection", "close");
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Connections that fall idle after their last response are closed as they do.
      const idle = setInterval(() => server.closeIdleConnections(), 100);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), shutdownTimeoutMs);
      });
      if ((await Promise.race([closed, timedOut])) === "timeout") {
        logger.warn({ cut: inFlight.size, shutdownTimeoutMs }, "shutdown: requests still in flight after the limit, closing them");
        server.closeAllConnections();
        await closed;
      }
      clearInterval(idle);
      clearTimeout(timer);
      await onClose();
      logger.info("stopped");
    })();
    return stopping;
  };

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => {
      server.off("error", reject);
      logger.info({ port }, `Portal listening on http://localhost:${port}`);
      resolve({ server, shutdown });
    });
  });
}
