// Entry of `npm run api`.
import { runCli } from "../cli/command.js";
import { apiCommand } from "./command.js";

await runCli(apiCommand);
