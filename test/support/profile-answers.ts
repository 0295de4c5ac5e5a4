import { type RawAgent } from './raw-agent.js';

/**
 * Makes a RawAgent answer `profile.sync` and `profile.activate` the way a healthy agent does
 * (synchronizing → synchronized, applying → applied), or fail activation with `failWith`.
 * Returns the sha256 values it activated, newest last.
 */
export function answerProfileFrames(agent: RawAgent, failWith?: string): string[] {
  const applied: string[] = [];
  agent.socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as Record<string, unknown>;
    const status = (state: string, reason?: string) =>
      agent.send({
        type: 'profile.status',
        deliveryId: frame.deliveryId,
        sha256: frame.sha256,
        state,
        reason,
      });
    if (frame.type === 'profile.sync') {
      status('synchronizing');
      status('synchronized');
    } else if (frame.type === 'profile.activate') {
      status('applying');
      if (failWith) return status('failed', failWith);
      applied.push(frame.sha256 as string);
      status('applied');
    }
  });
  return applied;
}
