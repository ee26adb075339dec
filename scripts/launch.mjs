// `npm run <command>` runs `exec node scripts/launch.mjs <command> …`: one process, the one
// npm (or a supervisor, a container, the scheduler) started and signals. It makes sure the
// build of the current sources exists (see build.mjs: content-addressed, never rewritten
// under a running command) and runs the command's entry from it.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ensureBuild } from "./build.mjs";

const ENTRIES = {
  etl: "etl/cli.js",
  validate: "validation/cli.js",
  api: "api/cli.js",
  upload: "upload/cli.js",
  pipeline: "pipeline/cli.js",
  ui: "ui/cli.js",
  generate: "generate/cli.js",
  scheduler: "scheduler/cli.js",
  profile: "files/profile-cli.js",
  worker: "files/worker-cli.js",
  simulate: "simulation/cli.js",
  "simulate:consumer": "simulation/consumer-cli.js",
};

const command = process.argv[2];
const entry = ENTRIES[command];
if (!entry) {
  process.stderr.write(
    `scripts/launch.mjs: unknown command "${command ?? ""}" (one of: ${Object.keys(ENTRIES).join(", ")})\n`,
  );
  process.exit(2);
}
let buildDir;
try {
  buildDir = await ensureBuild({ link: true });
} catch (error) {
  process.stderr.write(`cannot build the sources: ${error?.message ?? error}\n`);
  process.exit(1);
}
process.argv.splice(2, 1); // the command sees only its own arguments
await import(pathToFileURL(join(buildDir, entry)).href);
