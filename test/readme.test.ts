import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rulesMarkdown } from "../src/validation/rules.js";
import { ROOT } from "./helpers/cli.js";

describe("README", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const validateDoc = readFileSync(join(ROOT, "docs/validate.md"), "utf8");

  it("docs/validate.md holds the rule table generated from the rule list", () => {
    expect(validateDoc).toContain(rulesMarkdown());
  });

  it("starts with exactly the two set-up commands", () => {
    const firstBlock = readme.split("```sh\n")[1]?.split("```")[0] ?? "";
    expect(
      firstBlock
        .trim()
        .split("\n")
        .map((line) => line.split("#")[0]?.trim()),
    ).toEqual(["npm install && npm run etl", "npm install && npm test"]);
  });
});
