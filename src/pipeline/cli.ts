// Entry of `npm run pipeline`.
import { runCli } from "../cli/command.js";
import { pipelineCommand } from "./command.js";

await runCli(pipelineCommand);
