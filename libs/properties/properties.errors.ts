/**
 * The only error `PropertiesDocument.parse` throws: a `\u` escape that is not followed by four hex digits.
 * Java's `Properties.load` refuses the same input (IllegalArgumentException "Malformed \uxxxx encoding"),
 * so a file we reject would not load in a Java agent either.
 */
export class PropertiesSyntaxError extends Error {
  override readonly name = 'PropertiesSyntaxError';

  /**
   * @param line 1-based number of the natural line holding the bad escape
   * @param message what is wrong, already naming the line
   */
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}
