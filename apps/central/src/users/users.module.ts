import { Module } from '@nestjs/common';
import { AdminSessionsRepository } from './admin-sessions.repository.js';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

@Module({
  controllers: [UsersController],
  providers: [UsersRepository, AdminSessionsRepository, UsersService],
  // auth/ logs in and keeps sessions through the owner of admin_users and admin_sessions.
  exports: [UsersService, UsersRepository, AdminSessionsRepository],
})
export class UsersModule {}
