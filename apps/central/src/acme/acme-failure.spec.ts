import { ChallengeFailedError, describeAcmeFailure, OrderTimeoutError } from './acme-failure.js';
import { NotAnAcmeDirectoryError } from './acme-directory.check.js';

const DIRECTORY = 'https://acme.example:14000/dir';
const nodeError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('describeAcmeFailure', () => {
  it('names the challenge URL the CA could not reach, with pebble and Let’s Encrypt wordings', () => {
    const pebble = new ChallengeFailedError('central.example', 'tok', {
      type: 'urn:ietf:params:acme:error:connection',
      detail:
        'Get "http://central.example:5002/.well-known/acme-challenge/tok": dial tcp 127.0.0.1:5002: connect: connection refused',
    });
    expect(describeAcmeFailure(pebble, 'validating', DIRECTORY).message).toMatch(
      /^the ACME server could not reach http:\/\/central\.example:5002\/\.well-known\/acme-challenge\/tok: connection refused/,
    );
    const letsEncrypt = new ChallengeFailedError('central.example', 'tok', {
      type: 'urn:ietf:params:acme:error:connection',
      detail:
        '203.0.113.7: Fetching http://central.example/.well-known/acme-challenge/tok: Timeout during connect',
    });
    expect(describeAcmeFailure(letsEncrypt, 'validating', DIRECTORY).message).toMatch(
      /could not reach http:\/\/central\.example\/\.well-known\/acme-challenge\/tok: timed out/,
    );
    const dns = new ChallengeFailedError('nowhere.example', 'tok', {
      type: 'urn:ietf:params:acme:error:dns',
      detail: 'DNS problem: NXDOMAIN looking up A for nowhere.example',
    });
    expect(describeAcmeFailure(dns, 'validating', DIRECTORY).message).toMatch(
      /could not reach http:\/\/nowhere\.example\/\.well-known\/acme-challenge\/tok: the name does not resolve/,
    );
  });

  it('tells a wrong answer apart from an unreachable host', () => {
    const wrong = new ChallengeFailedError('central.example', 'tok', {
      type: 'urn:ietf:params:acme:error:unauthorized',
      detail: 'Invalid response from http://central.example/.well-known/acme-challenge/tok: 404',
    });
    expect(describeAcmeFailure(wrong, 'validating', DIRECTORY).message).toMatch(
      /^the ACME server reached http:\/\/central\.example\/\.well-known\/acme-challenge\/tok but did not get this order's answer: Invalid response/,
    );
  });

  it('explains an untrusted or unreachable directory', () => {
    expect(
      describeAcmeFailure(nodeError('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed'), 'reading', DIRECTORY)
        .message,
    ).toMatch(/HTTPS certificate of the ACME server acme\.example:14000 is not trusted.*directoryCaPem/);
    expect(
      describeAcmeFailure(nodeError('ECONNREFUSED', 'connect ECONNREFUSED'), 'reading', DIRECTORY).message,
    ).toBe('cannot reach the ACME server acme.example:14000: connection refused');
  });

  it('passes its own messages through and quotes what the CA refused', () => {
    expect(
      describeAcmeFailure(new NotAnAcmeDirectoryError('x is not an ACME directory'), 's', DIRECTORY).message,
    ).toBe('x is not an ACME directory');
    expect(
      describeAcmeFailure(new OrderTimeoutError(300, 'finalizing the order'), 's', DIRECTORY).message,
    ).toBe('the order did not finish within 300 s (it was finalizing the order)');
    expect(
      describeAcmeFailure(
        new Error('Error creating new order :: too many certificates'),
        'creating the order',
        DIRECTORY,
      ).message,
    ).toBe(
      'the ACME server refused while creating the order: Error creating new order :: too many certificates',
    );
  });
});
