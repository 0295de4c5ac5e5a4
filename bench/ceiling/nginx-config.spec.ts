import { nginxConfig, upstreamSource } from './nginx-config.js';

describe('nginx in front of the bare ws servers', () => {
  it('gives each client source address an upstream source of its own', () => {
    expect(upstreamSource('127.0.0.2')).toBe('127.1.0.2');
    expect(upstreamSource('127.0.0.254')).toBe('127.1.0.254');
    expect(() => upstreamSource('10.0.0.2')).toThrow('client source address must be 127.0.0.K, got 10.0.0.2');
  });

  it('writes a TLS 1.3 listener proxying upgrades, sized for two sockets per agent per worker', () => {
    const conf = nginxConfig({
      prefix: '/tmp/run/nginx',
      workers: 6,
      connectionsPerWorker: 16_667,
      listenPort: 40_001,
      upstreamPort: 40_002,
      certFile: '/tmp/run/cert.pem',
      keyFile: '/tmp/run/key.pem',
      clientSources: ['127.0.0.2', '127.0.0.3'],
      asRoot: false,
    });
    expect(conf).toContain('worker_processes 6;');
    expect(conf).toContain('worker_rlimit_nofile 34358;');
    expect(conf).toContain('worker_connections 33846;');
    expect(conf).toContain('listen 127.0.0.1:40001 ssl backlog=4096 reuseport;');
    expect(conf).toContain('ssl_protocols TLSv1.3;');
    expect(conf).toContain('proxy_pass http://127.0.0.1:40002;');
    expect(conf).toContain('    127.0.0.3 127.1.0.3;');
    expect(conf).toContain('proxy_set_header Connection "upgrade";');
    expect(conf).not.toContain('user root');
    expect(conf).toContain('pid /tmp/run/nginx/nginx.pid;');
  });
});
