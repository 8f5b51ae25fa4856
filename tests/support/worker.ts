/**
 * The scheduled worker as a process of its own (`scripts/worker.ts` compiled, as `npm run worker` runs it),
 * and a small SMTP server on a real socket for it to send to.
 */
import { spawn } from "node:child_process";
import { createServer, type Server, type Socket } from "node:net";
import { COMPILED, COMPILED_NODE_OPTIONS } from "../../server/compiled.ts";

export interface Delivery {
  server: string;
  messageId: string;
  to: string;
}

/**
 * An SMTP server that accepts everything: 250 to each command, the message recorded once its
 * final dot arrives, just before the 250 that tells the sender it was accepted. For a recipient
 * that `hangsUpOn` names, it records the message and closes the connection instead of answering,
 * as a server that fails after taking the message does.
 */
export function smtpServer(
  name: string,
  deliveries: Delivery[],
  onAccepted: (count: number) => void = () => {},
  hangsUpOn: (to: string) => boolean = () => false,
) {
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buffer = "";
    let data: string[] | null = null;
    let to = "";
    const reply = (line: string) => {
      if (!socket.destroyed) socket.write(`${line}\r\n`);
    };
    reply("220 test SMTP");
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      for (let end = buffer.indexOf("\r\n"); end >= 0; end = buffer.indexOf("\r\n")) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (data) {
          if (line !== ".") {
            data.push(line.startsWith("..") ? line.slice(1) : line);
            continue;
          }
          const messageId = /^Message-ID:\s*(\S+)/im.exec(data.join("\n"))?.[1] ?? "(none)";
          data = null;
          deliveries.push({ server: name, messageId, to });
          if (hangsUpOn(to)) {
            socket.destroy();
            return;
          }
          accepted += 1;
          reply("250 accepted");
          onAccepted(accepted);
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO" || verb === "HELO") reply("250 test SMTP");
        else if (verb === "RCPT") {
          to = /<([^>]*)>/.exec(line)?.[1] ?? "";
          reply("250 ok");
        } else if (verb === "DATA") {
          data = [];
          reply("354 go on");
        } else if (verb === "QUIT") {
          reply("221 bye");
          socket.end();
        } else reply("250 ok");
      }
    });
  });
  return new Promise<{ url: string; close(): Promise<void> }>((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `smtp://127.0.0.1:${(server.address() as { port: number }).port}`,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      }),
    ),
  );
}

export interface WorkerProcess {
  output: () => string;
  exited: Promise<number | NodeJS.Signals | null>;
  kill(signal: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

export function spawnWorker(env: Record<string, string>): WorkerProcess {
  let output = "";
  const child = spawn(process.execPath, [...COMPILED_NODE_OPTIONS, COMPILED.worker], {
    env: {
      ...process.env,
      ...env,
      NODE_ENV: "production",
      SESSION_SECRET: "test-secret-of-the-32-characters-production-needs",
      PUBLIC_URL: "https://portal.example",
      MAIL_FROM: "no-reply@portal.example",
      // Short, so that the survivor takes over a killed worker's job and email within seconds.
      WORKER_LEASE_SECONDS: "3",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code)));
  return {
    output: () => output,
    exited,
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Waits until `check` holds, looking every 200 ms; fails with `what` (and the workers' output) after two minutes. */
export async function until(what: string, check: () => Promise<boolean>, workers: WorkerProcess[] = []) {
  const deadline = Date.now() + 120_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Gave up waiting: ${what}\n${workers.map((w) => w.output()).join("\n---\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export function countBy<T>(items: T[], key: (item: T) => string) {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}
