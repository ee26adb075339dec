// Entry of `npm run profile`.
import { runCli } from "../cli/command.js";
import { profileCommand } from "./profile-command.js";

await runCli(profileCommand);
