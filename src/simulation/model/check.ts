/**
 * A model read and tried on its test scenario where its function cannot hurt the caller
 * (`simulate`, the console): an `expresion` here — compiled from a checked syntax tree, it
 * can neither loop nor reach anything — and a `codigo` on a worker thread, stopped after
 * `timeout_consumidor`: an endless loop, or a `process.exit()`, in the test scenario ends
 * that thread and is reported as the model's definition error (exit 2), while the command
 * or the console goes on.
 */
import { Worker } from "node:worker_threads";
import { describeError } from "../../errors.js";
import type { ModelDefinition } from "../types.js";
import type { CheckReply, CheckRequest } from "./check-thread.js";
import { ModelDefinitionError } from "./errors.js";
import { checkOverrides, compileModel, type LoadModelOptions } from "./load.js";
import { parseModel } from "./parse-file.js";

const THREAD_EXT = import.meta.url.endsWith(".ts") ? ".ts" : ".js";

/** A model that passed its test scenario: its definition and its outputs' names. */
export interface CheckedModel {
  definition: ModelDefinition;
  outputs: string[];
}

/**
 * `loadModelSource`'s checks (parse, permission, compile, the test scenario), with a
 * `codigo` tried off this thread. Throws `ModelDefinitionError` (exit 2) or `UsageError`.
 */
export async function checkModelSource(
  content: string | Uint8Array,
  file: string,
  options: LoadModelOptions = {},
): Promise<CheckedModel> {
  checkOverrides(options);
  const definition = parseModel(content, file, {
    scenarios: options.scenarios,
    seed: options.seed,
  });
  // An expresion, or codigo without permission (refused before anything runs): here.
  if (definition.function.kind === "expresion" || options.allowCode !== true)
    return { definition, outputs: compileModel(definition, { ...options, file }).outputs };
  return { definition, outputs: await checkOnThread(definition, file) };
}

function checkOnThread(definition: ModelDefinition, file: string): Promise<string[]> {
  const line = definition.function.line;
  const seconds = definition.consumerTimeoutS > 0 ? definition.consumerTimeoutS : 300;
  return new Promise<string[]>((resolve, reject) => {
    const worker = new Worker(new URL("../../etl/read/boot.mjs", import.meta.url), {
      workerData: {
        entry: new URL(`./check-thread${THREAD_EXT}`, import.meta.url).href,
        request: { definition, file } satisfies CheckRequest,
      },
    });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      outcome();
    };
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(
            new ModelDefinitionError(
              file,
              line,
              `codigo: modelo did not return on the test scenario within timeout_consumidor (${seconds} s)`,
            ),
          ),
        ),
      seconds * 1000,
    );
    worker.on("message", (reply: CheckReply) =>
      settle(() => {
        if ("outputs" in reply) resolve(reply.outputs);
        else if ("definition" in reply)
          reject(
            new ModelDefinitionError(
              reply.definition.file,
              reply.definition.line,
              reply.definition.detail,
              reply.definition.column,
            ),
          );
        else reject(new ModelDefinitionError(file, line, `codigo: ${reply.message}`));
      }),
    );
    worker.on("error", (error) =>
      settle(() =>
        reject(
          new ModelDefinitionError(
            file,
            line,
            `codigo: the test scenario failed: ${describeError(error)}`,
          ),
        ),
      ),
    );
    worker.on("exit", (code) =>
      settle(() =>
        reject(
          new ModelDefinitionError(
            file,
            line,
            `codigo: modelo ended its thread (exit code ${code}) on the test scenario, without returning`,
          ),
        ),
      ),
    );
  });
}
