// Preloaded into a measured process (`node --import ./bench/rss-probe.mjs …`): on exit it
// writes the process's peak resident set size (all threads) to $RSS_PROBE_FILE.
import { writeFileSync } from "node:fs";

process.on("exit", () => {
  if (process.env.RSS_PROBE_FILE) {
    writeFileSync(process.env.RSS_PROBE_FILE, String(process.resourceUsage().maxRSS * 1024));
  }
});
