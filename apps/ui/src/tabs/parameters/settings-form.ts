import type { WebSocketSettings } from '../../../../../libs/api/settings.js';

/** The form's text inputs keep what was typed (even "80a"): the API, not the browser, judges it. */
export interface SettingsDraft {
  plain: { enabled: boolean; port: string; bindAddress: string; localhostFallback: boolean };
  secure: {
    enabled: boolean;
    port: string;
    bindAddress: string;
    clientAuth: WebSocketSettings['secure']['clientAuth'];
    minTlsVersion: WebSocketSettings['secure']['minTlsVersion'];
  };
}

export function toDraft(s: WebSocketSettings): SettingsDraft {
  return {
    plain: { ...s.plain, port: String(s.plain.port) },
    secure: { ...s.secure, port: String(s.secure.port) },
  };
}

/** A port that is not a plain number is sent as typed, so the 400 names the field like any other. */
function port(text: string): number | string {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : text;
}

/** Only the fields that differ from what is stored: a PUT carries a subset (README). */
export function patchOf(
  stored: WebSocketSettings,
  d: SettingsDraft,
): Record<string, Record<string, unknown>> {
  const next = {
    plain: { ...d.plain, port: port(d.plain.port), bindAddress: d.plain.bindAddress.trim() },
    secure: { ...d.secure, port: port(d.secure.port), bindAddress: d.secure.bindAddress.trim() },
  };
  const patch: Record<string, Record<string, unknown>> = {};
  for (const kind of ['plain', 'secure'] as const) {
    for (const [k, v] of Object.entries(next[kind])) {
      if ((stored[kind] as Record<string, unknown>)[k] !== v) (patch[kind] ??= {})[k] = v;
    }
  }
  return patch;
}
