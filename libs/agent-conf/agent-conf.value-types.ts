import { isIP } from 'node:net';
import { JvmArgsSyntaxError, parseJvmSystemProperties } from './jvm-args.parser.js';

/** The outcome of reading one value: the typed value, or why the text is not acceptable. */
export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** How the text of one agent.conf value is read. */
export interface ValueType<T> {
  /** The type as the reference documentation shows it. */
  readonly name: string;
  /** Reads trimmed, non-empty text. */
  parse(text: string): Parsed<T>;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
// JSON quoting shows invisible characters (a tab, a non-breaking space) that made a value wrong.
const bad = (rule: string, text: string): Parsed<never> => ({
  ok: false,
  message: `${rule} (got ${JSON.stringify(text)})`,
});

const HOST_LABEL = /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/** A DNS host name or an IP address (IPv6 with or without brackets), as agents dial it. */
export const HOST: ValueType<string> = {
  name: 'host',
  parse(text) {
    const bracketed = text.startsWith('[') && text.endsWith(']');
    const host = bracketed ? text.slice(1, -1) : text;
    // Zone ids cannot be written in a ws:// URL (WHATWG URLs reject them), so they could never connect.
    if (host.includes('%') && isIP(host.split('%')[0]!) === 6) {
      return bad('must not carry an IPv6 zone id (%…)', text);
    }
    if (bracketed ? isIP(host) === 6 : isIP(host) !== 0) return ok(host);
    const labels = host.split('.');
    const allNumeric = labels.every((label) => /^\d+$/.test(label));
    if (!bracketed && !allNumeric && host.length <= 253 && labels.every((label) => HOST_LABEL.test(label))) {
      return ok(host);
    }
    return bad('must be a host name or IP address, without scheme, port or path', text);
  },
};

/** A TCP port number. */
export const PORT: ValueType<number> = {
  name: 'port',
  parse(text) {
    const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
    return port >= 1 && port <= 65535 ? ok(port) : bad('must be a port number 1-65535', text);
  },
};

/** `true` or `false`, in any letter case (Java's Boolean.parseBoolean is case-insensitive too). */
export const BOOLEAN: ValueType<boolean> = {
  name: 'boolean',
  parse(text) {
    const lower = text.toLowerCase();
    if (lower === 'true' || lower === 'false') return ok(lower === 'true');
    // Unlike Java, anything else is an error rather than false: "yes" silently meaning plain is a trap.
    return bad('must be true or false', text);
  },
};

/** An agent id: what central knows the agent by, also used in file names and URLs. */
export const AGENT_ID: ValueType<string> = {
  name: 'agent id',
  parse(text) {
    return /^[A-Za-z0-9._-]{1,128}$/.test(text)
      ? ok(text)
      : bad("must be 1-128 characters of letters, digits, '.', '_' and '-'", text);
  },
};

/** Free text. */
export const TEXT: ValueType<string> = { name: 'string', parse: ok };

/** Items of a comma list, trimmed; empty items (a trailing comma) are dropped, repeats kept once. */
function commaItems(text: string): string[] {
  return [...new Set(text.split(',').map((item) => item.trim()))].filter((item) => item !== '');
}

/** The most groups one agent reports (as central accepts at hello). */
export const MAX_GROUPS = 64;

/** Group names, comma-separated: what rollouts and filters target (ADR 37). */
export const GROUP_LIST: ValueType<string[]> = {
  name: 'group list',
  parse(text) {
    const groups = commaItems(text);
    const wrong = groups.find((group) => !/^[A-Za-z0-9._-]{1,64}$/.test(group));
    if (wrong !== undefined) {
      return bad(
        `each group must be 1-64 letters, digits, '.', '_' or '-', separated by commas; not ${JSON.stringify(wrong)}`,
        text,
      );
    }
    if (groups.length > MAX_GROUPS) return bad(`must list at most ${MAX_GROUPS} groups`, text);
    return ok(groups.sort());
  },
};

/** agent.conf key names, comma-separated. */
export const KEY_LIST: ValueType<string[]> = {
  name: 'key list',
  parse(text) {
    const keys = commaItems(text);
    // A key with a separator or a blank in it could never be written as one agent.conf key.
    const wrong = keys.find((key) => /[\s=:#!\\]/.test(key));
    return wrong === undefined
      ? ok(keys)
      : bad(`must be agent.conf key names separated by commas; not ${JSON.stringify(wrong)}`, text);
  },
};

/** A whole number of seconds within `[min, max]`. */
export function seconds(min: number, max: number): ValueType<number> {
  return {
    name: `seconds (${min}-${max})`,
    parse(text) {
      const value = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
      return value >= min && value <= max
        ? ok(value)
        : bad(`must be a whole number of seconds ${min}-${max}`, text);
    },
  };
}

/** A whole number of mebibytes within `[min, max]`, read as bytes. */
export function mebibytes(min: number, max: number): ValueType<number> {
  return {
    name: `MiB (${min}-${max})`,
    parse(text) {
      const value = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
      return value >= min && value <= max
        ? ok(value * 1024 * 1024)
        : bad(`must be a whole number of MiB ${min}-${max}`, text);
    },
  };
}

/** One of a fixed list of lower-case words, accepted in any letter case. */
export function oneOf<const T extends string>(values: readonly T[]): ValueType<T> {
  return {
    name: values.join(' | '),
    parse(text) {
      const lower = text.toLowerCase();
      const found = values.find((value) => value === lower);
      return found !== undefined ? ok(found) : bad(`must be one of ${values.join(', ')}`, text);
    },
  };
}

/** JVM options, read for the system properties they set. */
export const JVM_OPTIONS: ValueType<Map<string, string>> = {
  name: 'JVM options',
  parse(text) {
    try {
      return ok(parseJvmSystemProperties(text));
    } catch (error) {
      if (error instanceof JvmArgsSyntaxError) return { ok: false, message: error.message };
      throw error;
    }
  },
};
