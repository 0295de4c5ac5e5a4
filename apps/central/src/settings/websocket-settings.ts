import { type WebSocketSettings } from '../listeners/listener-settings.js';
import { type WebSocketSettingsPatch } from '../../../../libs/api/settings-requests.js';

// The listeners' shape lives with the listeners (settings → listeners, never back); re-exported for callers.
export { effectivePlainBinding, isLoopback, type WebSocketSettings } from '../listeners/listener-settings.js';

export const DEFAULT_WEBSOCKET_SETTINGS: WebSocketSettings = {
  plain: { enabled: true, port: 8787, bindAddress: '0.0.0.0', localhostFallback: true },
  secure: {
    enabled: false,
    port: 9150,
    bindAddress: '0.0.0.0',
    clientAuth: 'none',
    minTlsVersion: 'TLSv1.2',
  },
};

// The PUT body is part of the wire types (libs/api), checked there with Node's address parser.
export {
  websocketSettingsPatchSchema,
  type WebSocketSettingsPatch,
} from '../../../../libs/api/settings-requests.js';

export function mergeSettings(current: WebSocketSettings, patch: WebSocketSettingsPatch): WebSocketSettings {
  return {
    plain: { ...current.plain, ...patch.plain },
    secure: { ...current.secure, ...patch.secure },
  };
}
