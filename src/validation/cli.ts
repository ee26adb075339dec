// Entry of `npm run validate`.
import { runCli } from "../cli/command.js";
import { validateCommand } from "./command.js";

await runCli(validateCommand);
