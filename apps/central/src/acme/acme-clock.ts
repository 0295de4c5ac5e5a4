import { Injectable } from '@nestjs/common';

/** The time renewal decisions are made against; a provider so tests can move it. */
@Injectable()
export class AcmeClock {
  now(): Date {
    return new Date();
  }
}
