import { generateSelfSignedServerCertificate } from '../../../../libs/pki/index.js';
import { type TruststoreEntry } from '../profiles/truststore-selection.js';
import { anchorOf, withNewAnchor, withoutNewAnchor, withoutOldAnchor } from './rotation-truststore.js';

describe('the truststore edits of a rotation', () => {
  let oldPem: string;
  let newPem: string;
  beforeAll(async () => {
    oldPem = (await generateSelfSignedServerCertificate({ hosts: ['old.test'], validityDays: 30 }))
      .certificatePem;
    newPem = (await generateSelfSignedServerCertificate({ hosts: ['new.test'], validityDays: 30 }))
      .certificatePem;
  });
  const serverAnchor: TruststoreEntry = { source: 'server-anchor', alias: 'switchyard-central' };

  it('adds the new anchor next to server-anchor, replacing what an earlier rotation left', () => {
    const once = withNewAnchor([serverAnchor], newPem);
    expect(once).toEqual([serverAnchor, { source: 'uploaded', alias: 'switchyard-rotation', pem: newPem }]);
    expect(withNewAnchor(once, oldPem)).toEqual([
      serverAnchor,
      { source: 'uploaded', alias: 'switchyard-rotation', pem: oldPem },
    ]);
  });

  it('abort removes it again', () => {
    expect(withoutNewAnchor(withNewAnchor([serverAnchor], newPem))).toEqual([serverAnchor]);
  });

  it('clean-up: with server-anchor (now the new one) the rotation entry and copies of the old anchor go', () => {
    const copy: TruststoreEntry = { source: 'uploaded', alias: 'old-copy', pem: oldPem };
    const entries = withNewAnchor([serverAnchor, copy], newPem);
    expect(withoutOldAnchor(entries, anchorOf(oldPem).sha256)).toEqual([serverAnchor]);
  });

  it('clean-up without server-anchor keeps the rotation entry: it is what trusts the new anchor', () => {
    const copy: TruststoreEntry = { source: 'uploaded', alias: 'old-copy', pem: oldPem };
    const entries = withNewAnchor([copy], newPem);
    expect(withoutOldAnchor(entries, anchorOf(oldPem).sha256)).toEqual([
      { source: 'uploaded', alias: 'switchyard-rotation', pem: newPem },
    ]);
  });

  it('the anchor of a chain is its last certificate', () => {
    expect(anchorOf(`${newPem}\n${oldPem}`).sha256).toBe(anchorOf(oldPem).sha256);
    expect(anchorOf(oldPem).subject).toMatch(/CN=old.test/);
  });
});
