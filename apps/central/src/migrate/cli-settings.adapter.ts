import { DomainError } from '../common/domain-error.js';
import { type ListenerSettingsPort } from '../migration/listener-settings.port.js';
import { SettingsRepository } from '../settings/settings.repository.js';
import {
  DEFAULT_WEBSOCKET_SETTINGS,
  mergeSettings,
  type WebSocketSettings,
} from '../settings/websocket-settings.js';

/**
 * The CLI has no listeners of its own: it stores the next settings version and NOTIFYs, and every
 * running node re-reads and applies it (as for a change made on another node).
 */
export class StoredSettingsAdapter implements ListenerSettingsPort {
  constructor(
    private readonly repo: SettingsRepository,
    /** Tells the running nodes that settings `version` is stored (a NOTIFY). */
    private readonly notify: (version: number) => Promise<void>,
  ) {}

  async current(): Promise<WebSocketSettings> {
    return (await this.repo.latest())?.value ?? DEFAULT_WEBSOCKET_SETTINGS;
  }

  async change(patch: Parameters<ListenerSettingsPort['change']>[0], actor: string): Promise<void> {
    const latest = await this.repo.latest();
    const next = mergeSettings(latest?.value ?? DEFAULT_WEBSOCKET_SETTINGS, {
      plain: patch.plain,
      secure: patch.secure,
    });
    const version = (latest?.version ?? 0) + 1;
    if (!(await this.repo.insert(version, next, actor)))
      throw new DomainError(
        'settings_changed_meanwhile',
        'the WebSocket settings were changed by someone else at the same time; retry',
      );
    await this.notify(version);
  }
}
