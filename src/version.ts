import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/**
 * The package's version, from the nearest package.json above this module (the sources,
 * a build under `.build/`, or an installed copy under node_modules all find it).
 */
export function packageVersion(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate)) {
      const parsed = JSON.parse(readFileSync(candidate, "utf8")) as {
        name?: string;
        version?: string;
      };
      if (parsed.name === "empresa-etl" && parsed.version) {
        cached = parsed.version;
        return cached;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) {
      cached = "0.0.0";
      return cached;
    }
    dir = parent;
  }
}
