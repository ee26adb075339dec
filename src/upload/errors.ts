import { AppError } from "../errors.js";

/** The upload command's exit codes (contract section 5). */
export const EXIT = {
  uploaded: 0,
  usage: 2,
  missing: 3,
  notFresh: 4,
  locked: 5,
  failed: 6,
} as const;

/** A run that stops with one of the upload exit codes and a one-line reason. */
export class UploadError extends AppError {
  constructor(exitCode: number, code: string, message: string) {
    super(message, code, exitCode);
  }
}
