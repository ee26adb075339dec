import { createServer } from "node:net";
import { describe, it } from "vitest";

/**
 * `describe` for a suite that needs something a fresh machine may lack (Chromium, a Redis
 * or RabbitMQ server): `missing` says why it cannot run, or is undefined when it can. Without
 * it, a developer's run says so loudly on stderr and skips the suite — its title saying
 * SKIPPED and why; under `CI=true` the suite fails with the reason instead (`.ci/run`
 * installs all three), so a CI run can never pass by skipping.
 */
export function describeRequiring(
  name: string,
  missing: string | undefined,
  need: string,
  suite: () => void,
): void {
  if (!missing) {
    describe(name, suite);
    return;
  }
  if (process.env.CI === "true") {
    describe(name, () => {
      it(`has ${need}`, () => {
        throw new Error(`${name}: ${missing}; CI must install it (.ci/run)`);
      });
    });
    return;
  }
  process.stderr.write(`\n*** SKIPPED "${name}": ${missing} ***\n\n`);
  describe.skip(`${name} (SKIPPED: ${missing})`, suite);
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
