import { PASSWORD_PLACEHOLDER } from './truststore-jvm-args.js';

const PASSWORD_OPTION = /(trustStorePassword=)("[^"]*"?|'[^']*'?|[^\s"']*)/g;

/**
 * The audit interceptor stores request bodies (redacting fields by name) after the handler ran. An
 * agent.conf may carry the truststore password inside `jetty.jvm.args`, under no telling field name: hide
 * it in the body the interceptor will read. Call with the raw body after taking a copy to work from.
 */
export function hideTruststorePasswordsInBody(body: unknown): void {
  if (!body || typeof body !== 'object') return;
  const b = body as { agentConf?: unknown; set?: unknown };
  if (typeof b.agentConf === 'string') b.agentConf = hide(b.agentConf);
  if (b.set && typeof b.set === 'object') {
    const set = b.set as Record<string, unknown>;
    for (const [key, value] of Object.entries(set)) if (typeof value === 'string') set[key] = hide(value);
  }
}

const hide = (text: string) => text.replace(PASSWORD_OPTION, `$1${PASSWORD_PLACEHOLDER}`);
