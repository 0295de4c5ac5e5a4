import { ApiError, UNREACHABLE } from '../api/client.js';
import { messageOf } from './errors.js';

describe('messageOf: what an operator reads when a call fails', () => {
  it('never shows the browser\'s "TypeError: Failed to fetch" (issue 16: Parameters showed it)', () => {
    for (const text of ['Failed to fetch', 'NetworkError when attempting to fetch resource.', 'Load failed'])
      expect(messageOf(new TypeError(text))).toBe('central is not answering');
    expect(messageOf(new ApiError(0, UNREACHABLE, 'central is not answering', {}))).toBe(
      'central is not answering',
    );
  });

  it("gives the API's own sentence for a refusal", () => {
    const e = new ApiError(409, 'would_strand_agents', '2 agent(s) would be cut off', { agents: [] });
    expect(messageOf(e)).toBe('2 agent(s) would be cut off');
  });

  it('names a fault of the page in words, without the exception class', () => {
    const message = messageOf(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(message).toBe(
      "something went wrong in this page: Cannot read properties of undefined (reading 'x')",
    );
    expect(message).not.toMatch(/TypeError/);
    expect(messageOf('')).toBe('something went wrong in this page');
  });
});
