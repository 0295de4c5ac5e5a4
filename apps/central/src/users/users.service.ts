import { Injectable } from '@nestjs/common';
import { type Role } from '../common/roles.js';
import { DomainError } from '../common/domain-error.js';
import { hashPassword } from '../crypto/secrets.js';
import { UsersRepository, type GuardedChange, type UserSummary } from './users.repository.js';

/** Admin users: who may log in and with which role. At least one admin always remains. */
@Injectable()
export class UsersService {
  constructor(private readonly repo: UsersRepository) {}

  list(): Promise<UserSummary[]> {
    return this.repo.list();
  }

  async create(input: { username: string; role: Role; password: string }): Promise<UserSummary> {
    const created = await this.repo.create(input.username, input.role, await hashPassword(input.password));
    if (!created) throw new DomainError('user_already_exists', `user "${input.username}" already exists`);
    return created;
  }

  async setRole(username: string, role: Role): Promise<{ username: string; role: Role }> {
    check(await this.repo.setRole(username, role), username, 'demote');
    return { username, role };
  }

  /** Sets a password and ends that user's other sessions (all of them unless `keepSessionHash`). */
  async setPassword(
    username: string,
    password: string,
    keepSessionHash: string | null = null,
  ): Promise<void> {
    if (!(await this.repo.setPassword(username, await hashPassword(password), keepSessionHash))) {
      throw new DomainError('user_not_found', `no user "${username}"`);
    }
  }

  async delete(username: string, actorUsername: string): Promise<void> {
    if (username === actorUsername) {
      throw new DomainError('cannot_delete_yourself', 'you cannot delete yourself; another admin can');
    }
    check(await this.repo.delete(username), username, 'delete');
  }
}

function check(outcome: GuardedChange, username: string, verb: string): void {
  if (outcome === 'not_found') throw new DomainError('user_not_found', `no user "${username}"`);
  if (outcome === 'last_admin') {
    throw new DomainError(
      'last_admin',
      `cannot ${verb} "${username}": it is the last admin (make another user admin first)`,
    );
  }
}
