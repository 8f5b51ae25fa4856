/**
 * server.ts under `node --cpu-prof` for `npm run bench -- --profile <dir>`: SIGUSR2 ends the process
 * normally, which is when Node writes the profile (a fatal signal would lose it).
 */
process.once("SIGUSR2", () => process.exit(0));
await import("../server.ts");
export {};
