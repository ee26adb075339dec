// Entry of `npm run worker`.
import { runCli } from "../cli/command.js";
import { workerCommand } from "./jobs/worker-command.js";

await runCli(workerCommand);
