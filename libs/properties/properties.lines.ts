/**
 * The units a properties document is made of. Each keeps its exact source text so that an untouched
 * document prints back byte for byte.
 */

/** A comment (`#`/`!`) or blank line: kept verbatim, never interpreted. */
export interface TriviaLine {
  readonly kind: 'trivia';
  /** The source text, line terminator included. */
  readonly raw: string;
  /** The line terminator (`\n`, `\r\n` or `\r`), or '' on a last line without one. */
  readonly eol: string;
}

/** One logical line `key=value`, possibly spread over several natural lines with trailing backslashes. */
export interface EntryLine {
  readonly kind: 'entry';
  /** The source text of every natural line it spans, terminators included. */
  readonly raw: string;
  /** Terminator of its last natural line, or '' at the end of input. */
  readonly eol: string;
  /** Unescaped key. */
  readonly key: string;
  /** Unescaped value. */
  readonly value: string;
  /**
   * Indentation, key as written and separator (with its surrounding spaces): what a rewrite of the value
   * keeps, so the line keeps its style.
   */
  readonly head: string;
  /**
   * Its last line ends in a continuation backslash with nothing after it (end of input). Anything
   * appended after it would be read as part of its value.
   */
  readonly endsInContinuation: boolean;
}

export type PropertiesLine = TriviaLine | EntryLine;
