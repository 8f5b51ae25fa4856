/**
 * The portal compiled ahead of time (`npm run build`, scripts/build-server.js): what the image,
 * `npm start`, the tests and the benchmark run, with `node` and these options. Source maps turn a
 * logged stack trace back into the TypeScript's files and lines.
 */
export const COMPILED_NODE_OPTIONS = ["--enable-source-maps"];
export const COMPILED = {
  portal: "build/server/server.js",
  start: "build/server/scripts/start.js",
  worker: "build/server/scripts/worker.js",
};
