// Prints the rule table of docs/validate.md from the rule list: `npm run -s docs:rules`.
import { rulesMarkdown } from "../src/validation/rules.js";

process.stdout.write(`${rulesMarkdown()}\n`);
