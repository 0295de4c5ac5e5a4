import { PropertiesDocument } from '../../../../libs/properties/index.js';

/** What replaces a secret value. */
export const REDACTED = '[redacted]';

/**
 * Keys whose whole value is a secret (ADR 44): passwords, tokens, credentials, keys, hashes. Matched
 * anywhere in the key, case-insensitively: `agent.local.api.password.hash`, `my.api_key`, ….
 */
const SECRET_KEY =
  /pass(word|wd|phrase)?|pwd|secret|token|credential|private[._-]?key|api[._-]?key|hash|salt|authorization/i;

/** Secrets inside text: a value after a secret-looking name, bearer headers, our own secrets, PEM keys. */
const SECRET_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // -Djavax.net.ssl.trustStorePassword=changeit, password: x, "token"="x", api_key=x …
  [
    /((?:pass(?:word|wd|phrase)?|pwd|secret|token|credential|api[_-]?key|private[_-]?key|salt)[A-Za-z0-9_.-]*["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&"']+)/gi,
    `$1${REDACTED}`,
  ],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${REDACTED}`],
  // Switchyard's own secrets: sya_ agent credentials, syt_ enrollment tokens (central's newSecret).
  [/\b(sy[a-z]_)[A-Za-z0-9_-]{8,}/g, `$1${REDACTED}`],
  [
    /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(-----END \1PRIVATE KEY-----|$)/g,
    `[redacted private key]`,
  ],
  // Password hashes in modular crypt form ($scrypt$…, $argon2id$…, $2b$…, $pbkdf2-sha256$…).
  [/\$(scrypt|argon2(?:id|i|d)?|2[aby]?|pbkdf2[-a-z0-9]*)\$[^\s"';]+/gi, `[redacted hash]`],
  // user:password@ in URLs.
  [/([a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)[^@\s/]+@/gi, `$1${REDACTED}@`],
];

/** Secrets the agent knows literally (its credential) shorter than this are not scrubbed by value. */
const MIN_LITERAL_SECRET = 8;

/**
 * Replaces every secret the patterns find in `text`, and every occurrence of the `literal` secrets (the
 * agent's credential): the last line of defence for log lines and status text.
 */
export function redactText(text: string, literal: readonly string[] = []): string {
  let out = text;
  for (const secret of literal) {
    if (secret.length >= MIN_LITERAL_SECRET) out = out.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Whether a key's whole value is a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** A `.properties` file without its secrets, and which keys lost their value. */
export interface RedactedProperties {
  text: string;
  redactedKeys: string[];
}

/**
 * agent.conf / agent.local.conf without secrets: by key (every definition of a secret key, duplicates
 * included, gets `[redacted]`), by pattern inside the other values (a truststore password in
 * `jetty.jvm.args`), then by pattern over the whole text (comments). A file that cannot be parsed is
 * withheld rather than guessed at.
 */
export function redactProperties(text: string, literal: readonly string[] = []): RedactedProperties {
  let doc: PropertiesDocument;
  try {
    doc = PropertiesDocument.parse(text);
  } catch (error) {
    return {
      text: `# withheld: the file could not be parsed (${(error as Error).message}), so its secrets could not be found\n`,
      redactedKeys: [],
    };
  }
  const redactedKeys: string[] = [];
  for (const [key, value] of doc.entries()) {
    const next = isSecretKey(key) ? REDACTED : redactText(value, literal);
    if (next === value) continue;
    redactedKeys.push(key);
    // delete + set: `set` rewrites only the last definition, and an earlier duplicate holds the secret too.
    doc.delete(key);
    doc.set(key, next);
  }
  return { text: redactText(doc.toString(), literal), redactedKeys };
}
