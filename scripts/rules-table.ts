// Prints the README's rule table from the rule list: `npm run -s docs:rules`.
import { rulesMarkdown } from "../src/validation/rules.js";

process.stdout.write(`${rulesMarkdown()}\n`);
