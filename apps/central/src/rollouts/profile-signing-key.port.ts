/**
 * Where `welcome.profileSigningKey` comes from: the profiles domain's ProfileSigningKeyService, bound in
 * rollouts.module.ts (the one place this wiring lives).
 */
export interface ProfileSigningKeySource {
  publicKeyPem(): Promise<string>;
}

export const PROFILE_SIGNING_KEY = Symbol('PROFILE_SIGNING_KEY');
