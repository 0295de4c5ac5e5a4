import { PropertiesDocument } from '../properties/index.js';
import { agentWebSocketUrl, readAgentConf } from './index.js';

const urlFor = (host: string, secure: boolean) =>
  agentWebSocketUrl(
    readAgentConf(
      PropertiesDocument.parse(`central.host=${host}\nagent.id=a\ncentral.websocket.secure=${secure}\n`),
    ),
  );

describe('agentWebSocketUrl', () => {
  it.each([
    ['central.example.com', false, 'ws://central.example.com:8787/agent'],
    ['central.example.com', true, 'wss://central.example.com:9150/agent'],
    ['10.0.0.1', true, 'wss://10.0.0.1:9150/agent'],
    ['::1', false, 'ws://[::1]:8787/agent'],
    ['[2001:db8::1]', true, 'wss://[2001:db8::1]:9150/agent'],
  ])('%s (secure=%s) gives %s', (host, secure, url) => {
    expect(urlFor(host, secure)).toBe(url);
    expect(new URL(url).pathname).toBe('/agent');
  });
});
