/**
 * Where a CPU profile's time went: `npx tsx bench/profile-summary.ts <file.cpuprofile> [pattern]`
 * prints the functions with the most self time and, for those whose name or file matches the
 * pattern, their total time (themselves and what they call), as shares of the whole profile.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, pattern] = process.argv.slice(2);
if (!file) throw new Error("usage: bench/profile-summary.ts <file.cpuprofile> [pattern]");
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => {
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
const idle = profile.nodes.filter((n) => ["(idle)", "(program)"].includes(n.callFrame.functionName));
const busy = total - idle.reduce((sum, n) => sum + (self.get(n.id) ?? 0), 0);

const key = (n: ProfileNode) =>
  `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*?\/(app|build|server)/, "$1")}:${n.callFrame.lineNumber + 1}`;
const selfByKey = new Map<string, number>();
for (const n of profile.nodes) selfByKey.set(key(n), (selfByKey.get(key(n)) ?? 0) + (self.get(n.id) ?? 0));

// Total time: each sample counted once per function on its stack.
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const totalByKey = new Map<string, number>();
profile.samples.forEach((id, i) => {
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const k = key(byId.get(at)!);
    if (!seen.has(k)) {
      seen.add(k);
      totalByKey.set(k, (totalByKey.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0));
    }
  }
});

const share = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
console.log(`${file}: ${(busy / 1000).toFixed(0)} ms busy of ${(total / 1000).toFixed(0)} ms profiled; shares of the busy time`);
console.log("\nSelf time:");
for (const [k, us] of [...selfByKey].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${share(us)}  ${k}`);
if (pattern) {
  const re = new RegExp(pattern);
  console.log(`\nTotal time of functions matching /${pattern}/:`);
  for (const [k, us] of [...totalByKey]
    .filter(([k]) => re.test(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25))
    console.log(`${share(us)}  ${k}`);
}
