import { readdirSync, statSync } from "node:fs";
import { isBuiltin } from "node:module";
import { dirname, extname, isAbsolute, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Plugin } from "esbuild";
import { describeError } from "../errors.js";
import { DATASET_NAME, type StepContext } from "./define.js";

/** A step file's extensions; `_helper.ts`, `.hidden.ts`, `types.d.ts` and sub-folders are not steps. */
export const STEP_EXTENSIONS = [".ts", ".js", ".mjs"] as const;

/** Step names: letters, digits, `_` and `-` (file names are the default). */
export const STEP_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** A step as the runner uses it: checked, with its file. */
export interface LoadedStep {
  name: string;
  description: string;
  consumes: string[];
  produces: string[];
  /** The step's own `timeout_ms`, or null. */
  timeoutMs: number | null;
  /** The file, relative to the working folder when inside it. */
  file: string;
  run(inputs: Record<string, unknown>, ctx: StepContext): unknown;
}

/** What a folder holds: the steps that loaded and one line per file that did not. */
export interface LoadedFolder {
  steps: LoadedStep[];
  problems: string[];
}

interface FileStamp {
  path: string;
  stamp: string;
}

interface CacheEntry {
  /** The entry file and every file bundled into it, with their stamps at build time. */
  inputs: FileStamp[];
  result: { step: LoadedStep } | { problems: string[] };
}

const stampOf = (path: string): string => {
  try {
    const s = statSync(path);
    return `${s.mtimeMs}:${s.ctimeMs}:${s.size}`;
  } catch {
    return "missing";
  }
};

/** How a path is shown in messages: relative to the working folder when inside it. */
export function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}

/** The step files of a folder, sorted by name (no recursion). */
export function stepFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => {
      const name = entry.name;
      if (name.startsWith("_") || name.startsWith(".") || name.endsWith(".d.ts")) return false;
      if (!(STEP_EXTENSIONS as readonly string[]).includes(extname(name))) return false;
      if (entry.isFile()) return true;
      if (!entry.isSymbolicLink()) return false;
      try {
        return statSync(join(dir, name)).isFile();
      } catch {
        return false;
      }
    })
    .map((entry) => entry.name)
    .sort();
}

/**
 * Bare imports (`better-sqlite3`, `empresa-etl/pipeline`) stay imports of the package
 * Node would load from the step's own folder: esbuild resolves them there with Node's
 * rules and the bundle imports them by absolute `file:` URL, so the process shares one
 * instance of each package with the steps.
 */
const packagesByUrl: Plugin = {
  name: "packages-by-url",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === "inner" || isAbsolute(args.path)) return undefined;
      if (isBuiltin(args.path)) return { path: args.path, external: true };
      const found = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: "inner",
      });
      if (found.errors.length > 0) return { errors: found.errors };
      if (found.external) return { path: found.path, external: true };
      return { path: pathToFileURL(found.path).href, external: true };
    });
  },
};

/**
 * Compiles one step file with its relative imports (helpers, types) into one ES module
 * and imports it from a `data:` URL. Why esbuild at load rather than tsx's `tsImport`:
 * esbuild is already a dependency (the build uses it) while tsx is a development tool;
 * it registers no loader hook in the process (tsImport adds one per call); it treats
 * `.ts`, `.js` and `.mjs` steps alike; and it knows every file a step pulls in, so a
 * changed helper reloads the steps that use it.
 */
async function compile(
  path: string,
): Promise<{ inputs: string[]; module?: Record<string, unknown>; problem?: string }> {
  const { build } = await import("esbuild");
  const dir = dirname(path);
  const url = pathToFileURL(path).href;
  let code: string;
  let inputs: string[] = [path];
  try {
    const result = await build({
      entryPoints: [path],
      absWorkingDir: dir,
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      target: "node20",
      conditions: [],
      mainFields: ["main"],
      metafile: true,
      sourcemap: "inline",
      sourcesContent: false,
      logLevel: "silent",
      define: {
        "import.meta.url": JSON.stringify(url),
        "import.meta.filename": JSON.stringify(path),
        "import.meta.dirname": JSON.stringify(dir),
      },
      plugins: [packagesByUrl],
    });
    inputs = Object.keys(result.metafile.inputs).map((input) => resolve(dir, input));
    code = `${result.outputFiles[0]?.text ?? ""}\n//# sourceURL=${url}\n`;
  } catch (error) {
    const first = (error as { errors?: { text: string; location?: Location }[] }).errors?.[0];
    const where = first?.location
      ? `${shownPath(resolve(dir, first.location.file))}:${first.location.line}:${first.location.column + 1}: `
      : "";
    const inputsOnError = (error as { errors?: { location?: Location }[] }).errors
      ?.map((e) => e.location?.file)
      .filter((file): file is string => Boolean(file))
      .map((file) => resolve(dir, file));
    return {
      inputs: [...new Set([path, ...(inputsOnError ?? [])])],
      problem: first ? `${where}${first.text}` : describeError(error),
    };
  }
  try {
    const module = (await import(
      `data:text/javascript;base64,${Buffer.from(code).toString("base64")}`
    )) as Record<string, unknown>;
    return { inputs, module };
  } catch (error) {
    return { inputs, problem: describeError(error) };
  }
}

interface Location {
  file: string;
  line: number;
  column: number;
}

/** Checks a module's default export against the step shape; the problems name the file. */
export function checkShape(
  exported: unknown,
  file: string,
  defaultName: string,
): { step: LoadedStep } | { problems: string[] } {
  if (exported === undefined)
    return {
      problems: [`${file}: no default export (export default { consumes, produces, run })`],
    };
  if (typeof exported !== "object" || exported === null || Array.isArray(exported))
    return {
      problems: [
        `${file}: the default export is not a step object (export default { consumes, produces, run })`,
      ],
    };
  const raw = exported as Record<string, unknown>;
  const problems: string[] = [];
  const name = raw.name === undefined ? defaultName : raw.name;
  if (typeof name !== "string" || !STEP_NAME.test(name))
    problems.push(
      `${file}: bad step name ${JSON.stringify(name)} (letters, digits, "_" and "-"; the file name by default)`,
    );
  if (raw.description !== undefined && typeof raw.description !== "string")
    problems.push(`${file}: "description" must be a string`);
  const names = (key: "consumes" | "produces"): string[] => {
    const list = raw[key];
    if (!Array.isArray(list)) {
      problems.push(`${file}: "${key}" must be an array of dataset names`);
      return [];
    }
    const seen = new Set<string>();
    for (const item of list) {
      if (typeof item !== "string" || !DATASET_NAME.test(item))
        problems.push(
          `${file}: bad dataset name ${JSON.stringify(item)} in "${key}" (use lower-case letters, digits and "_")`,
        );
      else if (seen.has(item)) problems.push(`${file}: "${item}" is listed twice in "${key}"`);
      seen.add(item);
    }
    return [...seen];
  };
  const consumes = names("consumes");
  const produces = names("produces");
  const timeout = raw.timeout_ms;
  if (
    timeout !== undefined &&
    (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout <= 0)
  )
    problems.push(`${file}: "timeout_ms" must be a positive number of milliseconds`);
  if (typeof raw.run !== "function") problems.push(`${file}: "run" must be a function`);
  if (problems.length > 0) return { problems };
  return {
    step: {
      name: name as string,
      description: (raw.description as string | undefined) ?? "",
      consumes,
      produces,
      timeoutMs: (timeout as number | undefined) ?? null,
      file,
      run: raw.run as LoadedStep["run"],
    },
  };
}

/**
 * Loads the steps of a folder, again on every call but only the files that changed: a
 * file is recompiled when it, or a file it imports, has a new modification time or size.
 * Concurrent calls share one load.
 */
export class StepFolder {
  private readonly cache = new Map<string, CacheEntry>();
  private loading: Promise<LoadedFolder> | null = null;

  constructor(readonly dir: string) {}

  load(): Promise<LoadedFolder> {
    this.loading ??= this.loadNow().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async loadNow(): Promise<LoadedFolder> {
    const dir = resolve(this.dir);
    let names: string[];
    try {
      names = stepFiles(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? "no such folder" : code === "ENOTDIR" ? "not a folder" : code;
      return {
        steps: [],
        problems: [
          `${shownPath(dir)}: cannot read the steps folder (${why ?? describeError(error)})`,
        ],
      };
    }
    const paths = names.map((name) => join(dir, name));
    for (const cached of this.cache.keys()) if (!paths.includes(cached)) this.cache.delete(cached);
    const results = await Promise.all(paths.map((path) => this.loadFile(path)));
    const steps: LoadedStep[] = [];
    const problems: string[] = [];
    for (const result of results) {
      if ("step" in result) steps.push(result.step);
      else problems.push(...result.problems);
    }
    return { steps, problems };
  }

  private async loadFile(path: string): Promise<CacheEntry["result"]> {
    const cached = this.cache.get(path);
    if (cached?.inputs.every((input) => stampOf(input.path) === input.stamp)) return cached.result;
    // Stamps taken before compiling: a file written during the build is seen next time.
    const before = new Map<string, string>([[path, stampOf(path)]]);
    const compiled = await compile(path);
    const file = shownPath(path);
    const result: CacheEntry["result"] = compiled.module
      ? checkShape(compiled.module.default, file, stepNameOf(path))
      : { problems: [`${file}: cannot load: ${compiled.problem}`] };
    this.cache.set(path, {
      inputs: compiled.inputs.map((input) => ({
        path: input,
        stamp: before.get(input) ?? stampOf(input),
      })),
      result,
    });
    return result;
  }
}

/** The default step name of a file: its name without the extension. */
export function stepNameOf(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  return base.slice(0, base.length - extname(base).length);
}
