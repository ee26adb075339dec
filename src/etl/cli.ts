// Entry of `npm run etl`. The reader thread starts first, while the other modules load.
import "./read/prestart.js";
import { runCli } from "../cli/command.js";
import { etlCommand } from "./command.js";

await runCli(etlCommand);
