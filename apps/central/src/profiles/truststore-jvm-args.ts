import { splitJvmArgs } from '../../../../libs/agent-conf/index.js';

/** The two truststores every revision carries (docs/design.md §5); agent.conf must point at one of them. */
export const TRUSTSTORE_FILES = {
  JKS: 'conf/security/truststore.jks',
  PKCS12: 'conf/security/truststore.p12',
} as const;
export type TruststoreFormat = keyof typeof TRUSTSTORE_FILES;

/**
 * What a draft's agent.conf says instead of the truststore password: the password lives sealed in its own
 * column and is written into agent.conf only when a revision is prepared.
 */
export const PASSWORD_PLACEHOLDER = '(set)';

const PATH = 'javax.net.ssl.trustStore';
const PASSWORD = 'javax.net.ssl.trustStorePassword';
const TYPE = 'javax.net.ssl.trustStoreType';
const TRUSTSTORE_PROPERTIES = new Set([PATH, PASSWORD, TYPE]);

export interface TruststoreArgs {
  format: TruststoreFormat;
  /** The password written in the options, unless absent or the placeholder. */
  password: string | undefined;
}

/**
 * Reads the truststore options of `jetty.jvm.args`. The path may only name one of the archive's two
 * truststores, so an agent (or a Java agent) never looks for a file the profile does not ship.
 *
 * @returns the options, or why they cannot be used
 */
export function readTruststoreArgs(jvmArgs: string): TruststoreArgs | { error: string } {
  const properties = systemProperties(splitJvmArgs(jvmArgs));
  const path = properties.get(PATH);
  const typeText = properties.get(TYPE);
  const byPath = (Object.keys(TRUSTSTORE_FILES) as TruststoreFormat[]).find(
    (format) => TRUSTSTORE_FILES[format] === path,
  );
  if (path !== undefined && byPath === undefined) {
    return {
      error: `-D${PATH} must be ${TRUSTSTORE_FILES.JKS} or ${TRUSTSTORE_FILES.PKCS12}, the truststores the profile ships (got ${JSON.stringify(path)})`,
    };
  }
  const byType = typeText === undefined ? undefined : typeText.toUpperCase();
  if (byType !== undefined && byType !== 'JKS' && byType !== 'PKCS12') {
    return { error: `-D${TYPE} must be JKS or PKCS12 (got ${JSON.stringify(typeText)})` };
  }
  if (byPath !== undefined && byType !== undefined && byPath !== byType) {
    return { error: `-D${TYPE}=${typeText} does not match -D${PATH}=${path}` };
  }
  const password = properties.get(PASSWORD);
  return {
    format: (byPath ?? byType ?? 'JKS') as TruststoreFormat,
    password: password === undefined || password === PASSWORD_PLACEHOLDER ? undefined : password,
  };
}

/**
 * `jetty.jvm.args` with the three truststore options set to `format` and `password` (the placeholder in a
 * draft, the real one in a revision). Options already right are left byte for byte; otherwise each option
 * is replaced where it stands, missing ones are appended, and other JVM options are kept in order.
 */
export function writeTruststoreArgs(jvmArgs: string, format: TruststoreFormat, password: string): string {
  const words = splitJvmArgs(jvmArgs);
  const wanted = new Map([
    [PATH, TRUSTSTORE_FILES[format]],
    [PASSWORD, password],
    [TYPE, format],
  ]);
  const present = words
    .map(propertyName)
    .filter((name) => name !== undefined && TRUSTSTORE_PROPERTIES.has(name));
  const current = systemProperties(words);
  const alreadyRight =
    present.length === TRUSTSTORE_PROPERTIES.size &&
    [...wanted].every(([name, value]) => current.get(name) === value);
  if (alreadyRight) return jvmArgs;

  const out: string[] = [];
  const placed = new Set<string>();
  for (const word of words) {
    const name = propertyName(word);
    if (name === undefined || !TRUSTSTORE_PROPERTIES.has(name)) out.push(quoteJvmArg(word));
    else if (!placed.has(name)) {
      out.push(quoteJvmArg(`-D${name}=${wanted.get(name)!}`));
      placed.add(name);
    }
  }
  for (const [name, value] of wanted) if (!placed.has(name)) out.push(quoteJvmArg(`-D${name}=${value}`));
  return out.join(' ');
}

/**
 * `jvmArgs` with the truststore password shown as `shown` (for responses and diffs); other options untouched
 * in meaning. Text without a password option is returned as it is.
 */
export function maskTruststorePassword(jvmArgs: string, shown: string): string {
  let words: string[];
  try {
    words = splitJvmArgs(jvmArgs);
  } catch {
    // Unreadable options cannot be split into words: hide whatever follows the password option.
    return jvmArgs.replace(/(trustStorePassword=)("[^"]*"?|'[^']*'?|\S*)/g, `$1${shown}`);
  }
  if (!words.some((word) => propertyName(word) === PASSWORD)) return jvmArgs;
  return words
    .map((word) => quoteJvmArg(propertyName(word) === PASSWORD ? `-D${PASSWORD}=${shown}` : word))
    .join(' ');
}

/** The truststore password the options carry (placeholder or real), for comparing two revisions. */
export function truststorePasswordOf(jvmArgs: string): string | undefined {
  try {
    return systemProperties(splitJvmArgs(jvmArgs)).get(PASSWORD);
  } catch {
    return undefined;
  }
}

function propertyName(word: string): string | undefined {
  if (!word.startsWith('-D')) return undefined;
  const equals = word.indexOf('=');
  return equals < 0 ? word.slice(2) : word.slice(2, equals);
}

function systemProperties(words: string[]): Map<string, string> {
  const properties = new Map<string, string>();
  for (const word of words) {
    const name = propertyName(word);
    if (name) properties.set(name, word.includes('=') ? word.slice(word.indexOf('=') + 1) : '');
  }
  return properties;
}

/** Quotes a word so that `splitJvmArgs` gives it back unchanged. */
function quoteJvmArg(word: string): string {
  if (word !== '' && !/[\s"'\\]/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
