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

  /** The profile the agent runs (name, revision, archive sha256), written when a swap completes. */
  get activeProfileFile(): string {
    return join(this.stateDir, 'profile.json');
  }

  /** Central's profile-signing public key, pinned at enrollment (0600, first key received wins). */
  get profileSigningKeyFile(): string {
    return join(this.stateDir, 'profile-signing-key.pem');
  }

  /** Staging folders, the staged profile, the previous conf/ and the swap journal (see profiles/). */
  get profilesDir(): string {
    return join(this.root, 'profiles');
  }

  /** The folder holding agent.conf and the truststores; a profile replaces it as a whole. */
  get confDir(): string {
    return join(this.root, 'conf');
  }

  /** The local API's file transfer area (issue 17 point 3), 0700. */
  get filesDir(): string {
    return join(this.root, 'files');
  }

  get statusFile(): string {
    return join(this.stateDir, 'status.json');
  }

  /** Paths in agent.conf (e.g. the truststore) may be relative to the home directory. */
  resolve(path: string): string {
    return isAbsolute(path) ? path : join(this.root, path);
  }
}
