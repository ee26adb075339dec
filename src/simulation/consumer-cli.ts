// Entry of `npm run simulate:consumer`.
import { runCli } from "../cli/command.js";
import { consumerCommand } from "./consumer-command.js";

await runCli(consumerCommand);
