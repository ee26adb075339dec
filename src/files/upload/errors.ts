/** Why an upload is refused: an HTTP status, a stable code and a message safe to show. */
export class UploadError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "UploadError";
  }
}
