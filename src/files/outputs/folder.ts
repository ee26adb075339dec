import { mkdir, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { describeError, InputError } from "../../errors.js";

/**
 * Makes the output folder, one level at a time from its nearest existing ancestor, and
 * says in words why it cannot: a path through a file, a read-only or virtual file system
 * (Node 20's recursive `mkdir` never returns for a path under /proc).
 */
export async function ensureFolder(path: string): Promise<void> {
  const missing: string[] = [];
  let at = resolve(path);
  for (;;) {
    const found = await stat(at).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw cannotCreate(path, error);
    });
    if (found) {
      if (!found.isDirectory())
        throw new InputError(
          path,
          undefined,
          `cannot create the output folder: ${at} is a file`,
          "output_folder",
        );
      break;
    }
    missing.unshift(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const folder of missing)
    await mkdir(folder).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw cannotCreate(path, error);
    });
}

function cannotCreate(path: string, error: NodeJS.ErrnoException): InputError {
  const why =
    error.code === "EACCES" || error.code === "EPERM"
      ? "permission denied"
      : error.code === "ENOTDIR"
        ? "a part of the path is a file"
        : describeError(error);
  return new InputError(
    path,
    undefined,
    `cannot create the output folder: ${why}`,
    "output_folder",
  );
}
