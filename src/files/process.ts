import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ensureFolder } from "./outputs/folder.js";
import { outputBaseName } from "./outputs/name.js";
import { writeOutputs } from "./outputs/parquet.js";
import { profileFile } from "./profile/index.js";
import type { OutputPaths, Profile, ProfileDocument, ProfileOptions } from "./types.js";

export interface ProcessOptions extends ProfileOptions {
  /** Where the three Parquet files go (created if missing). */
  outDir: string;
  /** Also write `profile.json` (the profile endpoint's document) beside them. */
  profileJson?: boolean;
}

export interface ProcessResult {
  outputs: OutputPaths;
  profile: Profile;
  /** `outDir/profile.json` when asked for. */
  profilePath?: string;
}

/** The name of the profile document a job leaves beside its Parquet files. */
export const PROFILE_JSON = "profile.json";

/**
 * Profiles a CSV file and writes `NAME_resumen.parquet`, `NAME_columnas.parquet` and
 * `NAME_muestra.parquet` into `outDir` (NAME from `options.name`, else the file's name).
 * What it wrote is removed again when it fails or is aborted.
 *
 * @example
 * const { outputs, profile } = await processFile("ventas.csv", { outDir: "resultados" });
 */
export async function processFile(path: string, options: ProcessOptions): Promise<ProcessResult> {
  // The folder first: a bad --out is said at once, not after profiling a large file.
  await ensureFolder(options.outDir);
  const profile = await profileFile(path, options);
  options.signal?.throwIfAborted();
  const base = outputBaseName(profile.resumen.archivo);
  const written: string[] = [];
  try {
    const outputs = await writeOutputs(profile, options.outDir, base);
    written.push(...Object.values(outputs));
    let profilePath: string | undefined;
    if (options.profileJson) {
      profilePath = join(options.outDir, PROFILE_JSON);
      const { muestra: _sample, ...document } = profile;
      await writeFile(profilePath, JSON.stringify(document satisfies ProfileDocument));
      written.push(profilePath);
    }
    options.signal?.throwIfAborted();
    return { outputs, profile, profilePath };
  } catch (error) {
    await Promise.all(written.map((file) => rm(file, { force: true })));
    throw error;
  }
}
