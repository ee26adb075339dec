// Entry of `npm run etl`.
import { runCli } from "../cli/command.js";
import { etlCommand } from "./command.js";

await runCli(etlCommand);
