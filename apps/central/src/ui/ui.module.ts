import { Module } from '@nestjs/common';
import { UiStaticServer } from './ui-static.server.js';

/** The System Administration UI's static files at `/` (the UI itself lives in apps/ui). */
@Module({ providers: [UiStaticServer] })
export class UiModule {}
