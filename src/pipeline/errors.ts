import { AppError } from "../errors.js";

/**
 * The steps cannot be planned: an unknown step, a dataset no step or two steps produce, a
 * cycle, a step file that does not load or has the wrong shape. Found before anything
 * runs; exit 2. `problems` has one line per problem, each naming the step, dataset, file
 * or cycle; the message joins them on one line.
 */
export class DefinitionError extends AppError {
  constructor(readonly problems: readonly string[]) {
    super(
      problems.length === 1
        ? (problems[0] as string)
        : `${problems.length} definition errors: ${problems.join("; ")}`,
      "definition",
      2,
    );
  }
}
