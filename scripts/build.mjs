// Transpiles src/ to plain JavaScript (esbuild, about 0.1 s), so a command starts fast and
// its worker threads need no TypeScript loader. Tests and `tsc --noEmit` use the sources.
//
// Builds are content-addressed and never rewritten: `.build/<hash of the sources>/` is
// written under a temporary name and renamed into place in one step, so two commands
// started together, or a rebuild while a daemon runs, never see a half-written or deleted
// build (a running process keeps importing from the build it started with). `dist` is a
// symbolic link to the newest build, replaced atomically.
//
//   node scripts/build.mjs          build if the sources changed, point dist at it
//   import { ensureBuild } from …   the same, from the launcher (scripts/launch.mjs)
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BUILDS = join(ROOT, ".build");
/** Builds kept besides the current one (a long-running process may still use an old one). */
const KEEP = 5;

const files = (dir) =>
  readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
    )
    .sort();

/** The hash of everything that goes into a build: the sources and this script. */
function sourceHash(sources) {
  const hash = createHash("sha256");
  for (const file of [...sources, fileURLToPath(import.meta.url)]) {
    hash.update(relative(ROOT, file));
    hash.update("\0");
    hash.update(readFileSync(file));
    hash.update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

async function buildInto(sources, outdir) {
  const { build } = await import("esbuild");
  await build({
    entryPoints: sources.filter((file) => file.endsWith(".ts")),
    outdir,
    outbase: join(ROOT, "src"),
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: "linked",
    logLevel: "warning",
  });
  for (const file of sources.filter((file) => file.endsWith(".mjs")))
    cpSync(file, join(outdir, relative(join(ROOT, "src"), file)));
}

/** Removes old builds, keeping the newest few (by last use). */
function pruneBuilds(current) {
  const builds = readdirSync(BUILDS)
    .filter((name) => name !== current && !name.startsWith("tmp-"))
    .map((name) => ({ name, mtime: statSync(join(BUILDS, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { name } of builds.slice(KEEP))
    rmSync(join(BUILDS, name), { recursive: true, force: true });
  // Temporary folders of builds that were killed midway (older than a minute).
  for (const name of readdirSync(BUILDS).filter((n) => n.startsWith("tmp-"))) {
    const path = join(BUILDS, name);
    if (Date.now() - statSync(path).mtimeMs > 60_000)
      rmSync(path, { recursive: true, force: true });
  }
}

/** Points `dist` at the build, replacing the link in one step. */
function linkDist(buildDir) {
  const dist = join(ROOT, "dist");
  const target = relative(ROOT, buildDir);
  let current = null;
  try {
    const stat = lstatSync(dist);
    if (!stat.isSymbolicLink())
      rmSync(dist, { recursive: true, force: true }); // an old layout
    else current = readlinkSync(dist);
  } catch {
    // no dist yet
  }
  if (current === target) return;
  const temporary = join(ROOT, `.dist-${process.pid}`);
  rmSync(temporary, { force: true });
  symlinkSync(target, temporary);
  renameSync(temporary, dist);
}

/**
 * Makes sure the build of the current sources exists and returns its folder.
 *
 * @param {{ link?: boolean }} [options] also point `dist` at it
 * @returns {Promise<string>}
 */
export async function ensureBuild(options = {}) {
  const sources = files(join(ROOT, "src"));
  const hash = sourceHash(sources);
  const buildDir = join(BUILDS, hash);
  if (!existsSync(buildDir)) {
    mkdirSync(BUILDS, { recursive: true });
    const temporary = join(BUILDS, `tmp-${process.pid}-${Date.now()}`);
    await buildInto(sources, temporary);
    try {
      renameSync(temporary, buildDir);
    } catch (error) {
      // Another process finished the same build first: use theirs.
      rmSync(temporary, { recursive: true, force: true });
      if (!existsSync(buildDir)) throw error;
    }
    pruneBuilds(hash);
  } else {
    const now = new Date();
    try {
      utimesSync(buildDir, now, now); // marks it as recently used, for pruning
    } catch {
      // a read-only checkout still runs
    }
  }
  if (options.link) linkDist(buildDir);
  return buildDir;
}

/**
 * The package's `dist/` for `npm pack`: a real folder (not the link) with the JavaScript
 * and the TypeScript declarations (tsc, from tsconfig.build.json) of every entry point.
 */
async function buildPackage() {
  const { execFileSync } = await import("node:child_process");
  const sources = files(join(ROOT, "src"));
  const temporary = join(ROOT, `.dist-package-${process.pid}`);
  rmSync(temporary, { recursive: true, force: true });
  await buildInto(sources, temporary);
  execFileSync(
    process.execPath,
    [
      join(ROOT, "node_modules/typescript/bin/tsc"),
      "-p",
      "tsconfig.build.json",
      "--outDir",
      temporary,
    ],
    { cwd: ROOT, stdio: "inherit" },
  );
  rmSync(join(ROOT, "dist"), { recursive: true, force: true });
  renameSync(temporary, join(ROOT, "dist"));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--package")) {
    await buildPackage();
    process.stdout.write("built dist/ for the package (JavaScript and declarations)\n");
  } else {
    const dir = await ensureBuild({ link: true });
    process.stdout.write(`built ${relative(ROOT, dir)} (dist -> it)\n`);
  }
}
