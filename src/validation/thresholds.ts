import { existsSync, readFileSync } from "node:fs";
import { UsageError } from "../errors.js";
import { type Rule, SEVERITIES, type Severity } from "./rules.js";

/** How a rule is judged: it fails when more than `failAbove` rows are affected. */
export interface Threshold {
  severity: Severity;
  failAbove: number;
}

export type Thresholds = Record<string, Threshold>;

interface ConfigEntry {
  severity?: string;
  fail_above?: number;
}

function parseSeverity(value: string, source: string): Severity {
  const severity = value.toUpperCase();
  if (!SEVERITIES.includes(severity as Severity)) {
    throw new UsageError(
      `${source}: severity must be one of ${SEVERITIES.join(", ")}, got "${value}"`,
    );
  }
  return severity as Severity;
}

function parseLimit(value: unknown, source: string): number {
  const limit = typeof value === "string" ? Number(value) : value;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 0) {
    throw new UsageError(
      `${source}: fail_above must be a whole number ≥ 0, got ${JSON.stringify(value)}`,
    );
  }
  return limit;
}

/**
 * Each rule's severity and threshold: the contract's defaults, then a JSON file
 * (`{"rules": {"cliente_fk": {"fail_above": 5, "severity": "ERROR"}}}`), then the
 * environment (`VALIDATION_CLIENTE_FK_FAIL_ABOVE=5`, `VALIDATION_CLIENTE_FK_SEVERITY=ERROR`).
 */
export function resolveThresholds(
  rules: readonly Rule[],
  configPath: string | undefined,
  env: Record<string, string | undefined> = process.env,
): Thresholds {
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
      failAbove = parseLimit(entry.fail_above, `${configPath} ${rule.id}`);
    const envSeverity = env[`${prefix}_SEVERITY`];
    const envLimit = env[`${prefix}_FAIL_ABOVE`];
    if (envSeverity) severity = parseSeverity(envSeverity, `${prefix}_SEVERITY`);
    if (envLimit) failAbove = parseLimit(envLimit, `${prefix}_FAIL_ABOVE`);
    thresholds[rule.id] = { severity, failAbove };
  }
  return thresholds;
}
