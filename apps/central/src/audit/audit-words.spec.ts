import { describeAuditAction } from './audit-action-words.js';
import { auditCsv } from './audit-csv.js';

describe('audit in operator words', () => {
  it('names known routes in words, with their target', () => {
    expect(describeAuditAction('POST /api/rollouts/:id/cancel', '42')).toBe('cancel rollout 42');
    expect(describeAuditAction('PUT /api/settings/websocket', null)).toBe('change WebSocket settings');
  });

  it('keeps an unknown route readable and leaves worded actions as they are', () => {
    expect(describeAuditAction('DELETE /api/things/:id', 'x')).toBe('delete things/:id x');
    expect(describeAuditAction('login', 'admin')).toBe('login');
  });

  it('writes RFC 4180 CSV and defuses spreadsheet formulas', () => {
    const csv = auditCsv([
      {
        id: '1',
        at: new Date('2026-12-07T03:00:00Z'),
        actor: '=HYPERLINK("x")',
        address: '127.0.0.1',
        action: 'login',
        summary: 'login',
        target: 'a,b',
        outcome: 'refused',
        details: { reason: 'wrong "password"' },
      },
    ]);
    const [header, row] = csv.split('\r\n');
    expect(header).toBe('at,actor,address,summary,action,target,outcome,details');
    expect(row).toBe(
      `2026-12-07T03:00:00.000Z,"'=HYPERLINK(""x"")",127.0.0.1,login,login,"a,b",refused,"{""reason"":""wrong \\""password\\""""}"`,
    );
  });
});
