import { isAbsolute, join, resolve } from 'node:path';

/** Where the agent keeps its files, all below one home directory. */
export class AgentHome {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  get confFile(): string {
    return join(this.root, 'conf', 'agent.conf');
  }

  /** 0700: holds the credential. */
  get stateDir(): string {
    return join(this.root, 'state');
  }

  get credentialFile(): string {
    return join(this.stateDir, 'credential');
  }

  /** The private key of the client certificate (mutual TLS), 0600; generated here, never sent. */
  get clientKeyFile(): string {
    return join(this.stateDir, 'client.key');
  }

  /** The client certificate chain central's local CA issued (leaf, then CA). */
  get clientCertificateFile(): string {
    return join(this.stateDir, 'client.crt');
  }

  get profileSha256File(): string {
    return join(this.stateDir, 'profile.sha256');
  }

  get statusFile(): string {
    return join(this.stateDir, 'status.json');
  }

  /** Paths in agent.conf (e.g. the truststore) may be relative to the home directory. */
  resolve(path: string): string {
    return isAbsolute(path) ? path : join(this.root, path);
  }
}
