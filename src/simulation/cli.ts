// Entry of `npm run simulate`.
import { runCli } from "../cli/command.js";
import { simulateCommand } from "./command.js";

await runCli(simulateCommand);
