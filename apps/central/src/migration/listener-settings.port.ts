import { type WebSocketSettings, type WebSocketSettingsPatch } from '../settings/websocket-settings.js';

/**
 * How the migration changes the WebSocket settings. In central: SettingsService (applies on this node,
 * stores, NOTIFYs). In the CLI: a new stored version plus NOTIFY, applied by the running nodes.
 */
export interface ListenerSettingsPort {
  current(): Promise<WebSocketSettings>;
  /** `force` is passed only after the migration's own gate has passed (or was acknowledged). */
  change(patch: WebSocketSettingsPatch, actor: string): Promise<void>;
}
