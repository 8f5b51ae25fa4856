// The server compiled ahead of time, after `remix build`: the entry points (server.ts,
// scripts/start.ts for `npm start`, scripts/worker.ts for the scheduled work) and Remix's server
// bundle, which imports the app's TypeScript through `#app/*`, become one set of JavaScript
// modules under build/server. Production then runs plain `node`, without tsx, whose loader thread
// costs about 80 MB of memory, and whose start transpiles every module. Shared modules go into
// shared chunks, so the database, the request context and the logger exist once, as they do when
// tsx runs the source. The files keep their places relative to each other: server.ts finds the
// Remix build at ./build/index.js.
import { rmSync } from "node:fs";
import { build } from "esbuild";

// Chunks are named by their content: a previous build's would stay beside the new ones.
rmSync("build/server", { recursive: true, force: true });
await build({
  entryPoints: ["server.ts", "scripts/start.ts", "scripts/worker.ts", "build/index.js"],
  outbase: ".",
  outdir: "build/server",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // node_modules stay where they are: PGlite (WASM) and argon2 (native) cannot be bundled.
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});
