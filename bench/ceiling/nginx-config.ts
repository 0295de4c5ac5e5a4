/** nginx terminating TLS in front of the bare `ws` servers: the configuration the bench writes. */

export interface NginxConfigInput {
  /** Directory for the pid file, logs and temp paths. */
  prefix: string;
  workers: number;
  /** Connections each worker must hold: its share of the agents, two sockets each (client + upstream). */
  connectionsPerWorker: number;
  listenPort: number;
  upstreamPort: number;
  certFile: string;
  keyFile: string;
  /** Source addresses of the swarm: each is mapped to an upstream source of its own (see below). */
  clientSources: string[];
  /** Run the workers as root (when the bench runs as root, so they can read the temp directory). */
  asRoot: boolean;
}

/**
 * The upstream source address for a client source 127.0.0.K is 127.1.0.K: nginx opens one upstream
 * connection per agent, and one source address alone would run out of ephemeral ports past ~28,000.
 */
export function upstreamSource(clientSource: string): string {
  const m = /^127\.0\.0\.(\d+)$/.exec(clientSource);
  if (!m) throw new Error(`client source address must be 127.0.0.K, got ${clientSource}`);
  return `127.1.0.${m[1]}`;
}

export function nginxConfig(c: NginxConfigInput): string {
  const files = c.connectionsPerWorker * 2 + 1024;
  const map = c.clientSources.map((s) => `    ${s} ${upstreamSource(s)};`).join('\n');
  return `# Written by the Switchyard connection bench for one run.
${c.asRoot ? 'user root;\n' : ''}worker_processes ${c.workers};
worker_rlimit_nofile ${files};
daemon off;
pid ${c.prefix}/nginx.pid;
error_log ${c.prefix}/error.log warn;
events {
  worker_connections ${c.connectionsPerWorker * 2 + 512};
  multi_accept on;
}
http {
  access_log off;
  client_body_temp_path ${c.prefix}/client_body;
  proxy_temp_path ${c.prefix}/proxy;
  fastcgi_temp_path ${c.prefix}/fastcgi;
  uwsgi_temp_path ${c.prefix}/uwsgi;
  scgi_temp_path ${c.prefix}/scgi;
  map $remote_addr $upstream_source {
    default 127.0.0.1;
${map}
  }
  server {
    listen 127.0.0.1:${c.listenPort} ssl backlog=4096 reuseport;
    ssl_certificate ${c.certFile};
    ssl_certificate_key ${c.keyFile};
    ssl_protocols TLSv1.3;
    location / {
      proxy_pass http://127.0.0.1:${c.upstreamPort};
      proxy_bind $upstream_source;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_set_header Authorization $http_authorization;
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
    }
  }
}
`;
}
