// Entry of `npm run generate`.
import { runCli } from "../cli/command.js";
import { generateCommand } from "./command.js";

await runCli(generateCommand);
