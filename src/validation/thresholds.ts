import { existsSync, readFileSync } from "node:fs";
import { UsageError } from "../errors.js";
import { closest as nearest } from "../suggest.js";

const closest = (name: string, candidates: readonly string[]): string =>
  nearest(name, candidates) as string;

import { type Rule, SEVERITIES, type Severity } from "./rules.js";

/** How a rule is judged: it fails when more than `failAbove` rows are affected. */
export interface Threshold {
  severity: Severity;
  failAbove: number;
}

export type Thresholds = Record<string, Threshold>;

interface ConfigEntry {
  severity?: unknown;
  fail_above?: unknown;
}

const ENTRY_KEYS = ["fail_above", "severity"] as const;

function parseSeverity(value: unknown, source: string): Severity {
  const severity = typeof value === "string" ? value.toUpperCase() : undefined;
  if (!SEVERITIES.includes(severity as Severity)) {
    throw new UsageError(
      `${source}: severity must be one of ${SEVERITIES.join(", ")}, got ${JSON.stringify(value)}`,
    );
  }
  return severity as Severity;
}

/** A whole number ≥ 0: a JSON number in the config file, digits in the environment. */
function parseLimit(value: unknown, source: string, fromText: boolean): number {
  const limit = fromText && typeof value === "string" ? Number(value) : value;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 0) {
    throw new UsageError(
      `${source}: fail_above must be a whole number ≥ 0, got ${JSON.stringify(value)}`,
    );
  }
  return limit;
}

/** Each entry is an object with only `fail_above` and `severity`: a typo is an error, not ignored. */
function checkEntry(entry: unknown, source: string): void {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    throw new UsageError(
      `${source}: must be an object such as {"fail_above": 5, "severity": "ERROR"}, got ${JSON.stringify(entry)}`,
    );
  }
  for (const key of Object.keys(entry)) {
    if (!(ENTRY_KEYS as readonly string[]).includes(key)) {
      throw new UsageError(
        `${source}: unknown key "${key}"; did you mean "${closest(key, ENTRY_KEYS)}"? (keys: ${ENTRY_KEYS.join(", ")})`,
      );
    }
  }
}

/** `VALIDATION_<X>_FAIL_ABOVE` or `…_SEVERITY` whose `<X>` is no rule: an error, not ignored. */
function checkEnvNames(rules: readonly Rule[], env: Record<string, string | undefined>): void {
  const ids = rules.map((rule) => rule.id);
  for (const [name, value] of Object.entries(env)) {
    const match = /^VALIDATION_(.+)_(FAIL_ABOVE|SEVERITY)$/.exec(name);
    if (!match || !value) continue;
    const id = (match[1] as string).toLowerCase();
    if (ids.includes(id)) continue;
    const best = closest(id, ids);
    throw new UsageError(
      `${name}: no rule "${id}"; did you mean ${`VALIDATION_${best.toUpperCase()}_${match[2]}`} (rule ${best})?`,
    );
  }
}

/**
 * Each rule's severity and threshold: the contract's defaults, then a JSON file
 * (`{"rules": {"cliente_fk": {"fail_above": 5, "severity": "ERROR"}}}`), then the
 * environment (`VALIDATION_CLIENTE_FK_FAIL_ABOVE=5`, `VALIDATION_CLIENTE_FK_SEVERITY=ERROR`).
 * Typos are usage errors, never silently ignored: an unknown rule or key in the file,
 * a `fail_above` that is not a whole JSON number, an environment variable named for a
 * rule that does not exist.
 */
export function resolveThresholds(
  rules: readonly Rule[],
  configPath: string | undefined,
  env: Record<string, string | undefined> = process.env,
): Thresholds {
  checkEnvNames(rules, env);
  let config: Record<string, ConfigEntry> = {};
  if (configPath) {
    if (!existsSync(configPath)) throw new UsageError(`${configPath}: validation config not found`);
    try {
      config =
        (JSON.parse(readFileSync(configPath, "utf8")) as { rules?: Record<string, ConfigEntry> })
          .rules ?? {};
    } catch {
      throw new UsageError(`${configPath}: not valid JSON`);
    }
    for (const id of Object.keys(config)) {
      if (!rules.some((rule) => rule.id === id))
        throw new UsageError(`${configPath}: unknown rule "${id}"`);
      checkEntry(config[id], `${configPath} ${id}`);
    }
  }
  const thresholds: Thresholds = {};
  for (const rule of rules) {
    const entry = config[rule.id] ?? {};
    const prefix = `VALIDATION_${rule.id.toUpperCase()}`;
    let severity = rule.severity;
    let failAbove = 0;
    if (entry.severity !== undefined)
      severity = parseSeverity(entry.severity, `${configPath} ${rule.id}`);
    if (entry.fail_above !== undefined)
      failAbove = parseLimit(entry.fail_above, `${configPath} ${rule.id}`, false);
    const envSeverity = env[`${prefix}_SEVERITY`];
    const envLimit = env[`${prefix}_FAIL_ABOVE`];
    if (envSeverity) severity = parseSeverity(envSeverity, `${prefix}_SEVERITY`);
    if (envLimit) failAbove = parseLimit(envLimit, `${prefix}_FAIL_ABOVE`, true);
    thresholds[rule.id] = { severity, failAbove };
  }
  return thresholds;
}
