import type { ProfileStatus } from '../../../../libs/protocol/index.js';
import { ProfileReportQueue } from './profile-report-queue.js';

const status = (n: number): ProfileStatus => ({
  type: 'profile.status',
  deliveryId: `0b7e3c52-4a55-4d1c-9a0e-5d8f0c3a1e11:${n}`,
  sha256: 'a'.repeat(64),
  state: 'synchronized',
});

describe('ProfileReportQueue', () => {
  it('sends at once while connected', () => {
    const sent: ProfileStatus[] = [];
    const queue = new ProfileReportQueue((s) => (sent.push(s), true));
    queue.report(status(1));
    expect(sent).toEqual([status(1)]);
  });

  it('keeps reports while disconnected and sends them in order after the next welcome', () => {
    let connected = false;
    const sent: ProfileStatus[] = [];
    const queue = new ProfileReportQueue((s) => connected && (sent.push(s), true));
    queue.report(status(1));
    queue.report(status(2));
    expect(sent).toEqual([]);
    connected = true;
    queue.flush();
    expect(sent).toEqual([status(1), status(2)]);
    queue.flush();
    expect(sent).toHaveLength(2);
  });

  it('keeps only the newest 16 while disconnected', () => {
    let connected = false;
    const sent: ProfileStatus[] = [];
    const queue = new ProfileReportQueue((s) => connected && (sent.push(s), true));
    for (let n = 1; n <= 20; n++) queue.report(status(n));
    connected = true;
    queue.flush();
    expect(sent.map((s) => s.deliveryId.split(':')[1])).toEqual(
      Array.from({ length: 16 }, (_, i) => String(i + 5)),
    );
  });
});
