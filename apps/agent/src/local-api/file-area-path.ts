import { FileAreaError } from './file-area-error.js';

const MAX_DEPTH = 16;
const MAX_SEGMENT_BYTES = 255;
// Characters Windows refuses in names, and control characters: a name must be valid on every agent OS.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[<>:"/\\|?*\u0000-\u001f\u007f]/;
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * The segments of a path in the file transfer area, from the still percent-encoded URL path after
 * `/files/`. Refuses, naming the segment, everything that could leave the area or mean something else
 * on another OS: `..` and `.`, empty segments, encoded slashes or backslashes, names starting with a
 * dot (reserved for the area's own temporary files), Windows device names and reserved characters.
 * An empty path is the area itself.
 */
export function parseAreaPath(encoded: string): string[] {
  if (encoded === '' || encoded === '/') return [];
  const raw = encoded.endsWith('/') ? encoded.slice(0, -1) : encoded;
  const segments = raw.split('/');
  if (segments.length > MAX_DEPTH) {
    throw new FileAreaError(400, `path has ${segments.length} levels; at most ${MAX_DEPTH} are allowed`);
  }
  return segments.map((part) => {
    let name: string;
    try {
      name = decodeURIComponent(part);
    } catch {
      throw new FileAreaError(400, `path segment "${part}" has malformed percent-encoding`);
    }
    if (name === '') throw new FileAreaError(400, 'path has an empty segment (//)');
    if (name === '..' || name === '.') {
      throw new FileAreaError(400, `path segment "${name}" is refused: paths stay inside the file area`);
    }
    if (FORBIDDEN.test(name)) {
      throw new FileAreaError(
        400,
        `path segment ${JSON.stringify(name)} contains a character not allowed in file names (< > : " / \\ | ? * or a control character)`,
      );
    }
    if (name.startsWith('.')) {
      throw new FileAreaError(400, `path segment "${name}" starts with a dot: such names are reserved`);
    }
    if (name.endsWith(' ') || name.endsWith('.')) {
      throw new FileAreaError(400, `path segment "${name}" ends with a space or a dot`);
    }
    if (WINDOWS_DEVICE.test(name)) {
      throw new FileAreaError(400, `path segment "${name}" is a reserved device name on Windows`);
    }
    if (Buffer.byteLength(name) > MAX_SEGMENT_BYTES) {
      throw new FileAreaError(
        400,
        `path segment "${name.slice(0, 20)}…" is longer than ${MAX_SEGMENT_BYTES} bytes`,
      );
    }
    return name;
  });
}
