import { DEFAULT_TRUSTSTORE_PASSWORD, DEFAULT_TRUSTSTORE_PATH } from './agent-conf.keys.js';
import { type TrustStoreSettings, type TrustStoreType } from './agent-conf.types.js';
import { type Parsed } from './agent-conf.value-types.js';

/**
 * The truststore settings a Java agent would take from its `-Djavax.net.ssl.*` system properties, with
 * the agent's defaults for what is not set. Only the type is checked here: whether the file exists and
 * opens with the password is for the code that loads it.
 */
export function trustStoreFromSystemProperties(
  properties: ReadonlyMap<string, string>,
): Parsed<TrustStoreSettings> {
  const path = properties.get('javax.net.ssl.trustStore') ?? DEFAULT_TRUSTSTORE_PATH;
  if (path === '') return { ok: false, message: 'javax.net.ssl.trustStore is empty' };
  const password = properties.get('javax.net.ssl.trustStorePassword') ?? DEFAULT_TRUSTSTORE_PASSWORD;
  const typeText = properties.get('javax.net.ssl.trustStoreType');
  const type = typeText === undefined ? typeFromExtension(path) : parseType(typeText);
  if (type === undefined) {
    return {
      ok: false,
      message: `javax.net.ssl.trustStoreType must be JKS or PKCS12 (got ${JSON.stringify(typeText)})`,
    };
  }
  return { ok: true, value: { path, password, type } };
}

function parseType(text: string): TrustStoreType | undefined {
  const lower = text.toLowerCase();
  return lower === 'jks' || lower === 'pkcs12' ? lower : undefined;
}

function typeFromExtension(path: string): TrustStoreType {
  return /\.(p12|pfx)$/i.test(path) ? 'pkcs12' : 'jks';
}
