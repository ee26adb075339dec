import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../src/errors.js";
import { RULES } from "../src/validation/rules.js";
import { resolveThresholds } from "../src/validation/thresholds.js";
import { tempDir } from "./helpers/tmp.js";

function configFile(rules: unknown): string {
  const path = join(tempDir(), "validation.json");
  writeFileSync(path, JSON.stringify({ rules }));
  return path;
}

function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error("expected a UsageError");
}

describe("the --config file", () => {
  it("rejects an unknown key in a rule's entry, naming the file, rule and key, with a suggestion", () => {
    const path = configFile({ cliente_fk: { fail_abov: 50 } });
    const error = usageError(() => resolveThresholds(RULES, path, {}));
    expect(error.message).toContain(path);
    expect(error.message).toContain("cliente_fk");
    expect(error.message).toContain('"fail_abov"');
    expect(error.message).toContain('did you mean "fail_above"?');
    const severity = usageError(() =>
      resolveThresholds(RULES, configFile({ cliente_fk: { severty: "ERROR" } }), {}),
    );
    expect(severity.message).toContain('did you mean "severity"?');
  });

  it("requires fail_above to be a whole number, not a string", () => {
    const path = configFile({ cliente_fk: { fail_above: "50" } });
    const error = usageError(() => resolveThresholds(RULES, path, {}));
    expect(error.message).toBe(
      `${path} cliente_fk: fail_above must be a whole number ≥ 0, got "50"`,
    );
    for (const bad of [1.5, -1, null, true]) {
      usageError(() =>
        resolveThresholds(RULES, configFile({ cliente_fk: { fail_above: bad } }), {}),
      );
    }
  });

  it("rejects a severity that is not a string and an entry that is not an object", () => {
    usageError(() => resolveThresholds(RULES, configFile({ cliente_fk: { severity: 3 } }), {}));
    usageError(() => resolveThresholds(RULES, configFile({ cliente_fk: 50 }), {}));
  });

  it("still takes a good entry", () => {
    const path = configFile({ cliente_fk: { fail_above: 50, severity: "error" } });
    expect(resolveThresholds(RULES, path, {}).cliente_fk).toEqual({
      severity: "ERROR",
      failAbove: 50,
    });
  });
});

describe("the environment", () => {
  it("rejects VALIDATION_<X>_FAIL_ABOVE and _SEVERITY for an <X> that is not a rule, naming the closest", () => {
    const limit = usageError(() =>
      resolveThresholds(RULES, undefined, { VALIDATION_CLIENTE_FKK_FAIL_ABOVE: "5" }),
    );
    expect(limit.message).toContain("VALIDATION_CLIENTE_FKK_FAIL_ABOVE");
    expect(limit.message).toContain("VALIDATION_CLIENTE_FK_FAIL_ABOVE");
    const severity = usageError(() =>
      resolveThresholds(RULES, undefined, { VALIDATION_FECHA_NOT_FUTUR_SEVERITY: "INFO" }),
    );
    expect(severity.message).toContain("VALIDATION_FECHA_NOT_FUTUR_SEVERITY");
    expect(severity.message).toContain("VALIDATION_FECHA_NOT_FUTURE_SEVERITY");
  });

  it("leaves other VALIDATION_ settings alone and takes a known rule's string value", () => {
    const thresholds = resolveThresholds(RULES, undefined, {
      VALIDATION_CONFIG: "x.json",
      VALIDATION_CLIENTE_FK_FAIL_ABOVE: "5",
    });
    expect(thresholds.cliente_fk?.failAbove).toBe(5);
  });
});
