/**
 * Scale-out for the benchmark: N instances of the compiled portal as Node cluster workers sharing one port
 * (on Linux the primary hands connections out round-robin), on one PostgreSQL. Prints the workers' process
 * ids once every one listens, so the benchmark can read their CPU and memory.
 */
import cluster from "node:cluster";
import { COMPILED, COMPILED_NODE_OPTIONS } from "../server/compiled.ts";

const instances = Number(process.argv[2] ?? 2);
cluster.setupPrimary({ exec: COMPILED.portal, execArgv: COMPILED_NODE_OPTIONS });
const listening = new Set<number>();
for (let i = 0; i < instances; i++) cluster.fork();
cluster.on("listening", (worker) => {
  listening.add(worker.process.pid!);
  if (listening.size === instances) console.log(`workers ${[...listening].join(" ")}`);
});
cluster.on("exit", (worker, code) => {
  if (!stopping) {
    console.error(`worker ${worker.process.pid} exited ${code}`);
    process.exit(1);
  }
});
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill("SIGTERM");
  });
}
