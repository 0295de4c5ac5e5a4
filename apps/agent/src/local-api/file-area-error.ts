/** A refusal of the file transfer area, with the HTTP status the local API answers it with. */
export class FileAreaError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 413 | 507,
    message: string,
  ) {
    super(message);
    this.name = 'FileAreaError';
  }
}
