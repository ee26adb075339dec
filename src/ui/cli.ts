import { runCli } from "../cli/command.js";
import { uiCommand } from "./command.js";

await runCli(uiCommand);
