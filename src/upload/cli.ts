// Entry of `npm run upload`. Hashing the file (~0.8 s per GB) is the longest step before
// the upload can start and needs nothing but the file's name, so it starts here, in a worker
// thread, before the AWS SDK and the rest of the command load (~0.15 s). The run uses that
// hash only for the file it then checks, unchanged (see runUpload's `prehashed`).
import { LOG_OPTIONS } from "../cli/options.js";
import { parseCommand } from "../config.js";
import { type FileHash, sha256File } from "./file.js";
import { UPLOAD_COMMAND } from "./options.js";

function hashEarly(argv: string[]): Promise<FileHash> | null {
  try {
    const { config, positionals, help } = parseCommand(
      { ...UPLOAD_COMMAND, options: { ...LOG_OPTIONS, ...UPLOAD_COMMAND.options } },
      argv,
    );
    const file = positionals[0];
    // A snapshot is hashed once made; bad arguments are reported by the command itself.
    if (help || positionals.length !== 1 || file === undefined || config.snapshotDb) return null;
    const hashing = sha256File(file);
    hashing.catch(() => undefined); // a failure is reported where the run awaits it
    return hashing;
  } catch {
    return null;
  }
}

const prehashed = hashEarly(process.argv.slice(2));
const [{ runCli }, { uploadCommand }] = await Promise.all([
  import("../cli/command.js"),
  import("./command.js"),
]);
await runCli(uploadCommand(prehashed));
