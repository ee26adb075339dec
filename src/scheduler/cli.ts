// Entry of `npm run scheduler`.
import { runCli } from "../cli/command.js";
import { schedulerCommand } from "./command.js";

await runCli(schedulerCommand);
