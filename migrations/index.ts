import { Foundation1763884800000 } from './1763884800000-Foundation.js';
import { LocalCa1763971200000 } from './1763971200000-LocalCa.js';
import { Acme1763971300000 } from './1763971300000-Acme.js';
import { ProfilesAndRollouts1763971500000 } from './1763971500000-ProfilesAndRollouts.js';
import { LoginAttempts1763971600000 } from './1763971600000-LoginAttempts.js';
import { Migration1763971700000 } from './1763971700000-Migration.js';
import { RolloutDeliveries1763972000000 } from './1763972000000-RolloutDeliveries.js';
import { AgentVia1763972100000 } from './1763972100000-AgentVia.js';
import { RolloutDueIndex1763972200000 } from './1763972200000-RolloutDueIndex.js';
import { RolloutDueWork1763972300000 } from './1763972300000-RolloutDueWork.js';
import { EnrollmentRetry1763972400000 } from './1763972400000-EnrollmentRetry.js';
import { LastSeenFromNode1763972500000 } from './1763972500000-LastSeenFromNode.js';
import { EnrollmentTokenScope1765000100000 } from './1765000100000-EnrollmentTokenScope.js';
import { TrustAnchors1765000200000 } from './1765000200000-TrustAnchors.js';
import { RolloutOpenWork1765000400000 } from './1765000400000-RolloutOpenWork.js';
import { CertificateRotations1765000700000 } from './1765000700000-CertificateRotations.js';
import { AutomaticRotation1765100000000 } from './1765100000000-AutomaticRotation.js';
import { NodeLease1765100200000 } from './1765100200000-NodeLease.js';
import { ReportedGroups1765100400000 } from './1765100400000-ReportedGroups.js';
import { SessionIds1765100600000 } from './1765100600000-SessionIds.js';
import { ListenerFailures1765100610000 } from './1765100610000-ListenerFailures.js';
import { DiagnosticBundles1765200200000 } from './1765200200000-DiagnosticBundles.js';
import { AgentPackages1765200300000 } from './1765200300000-AgentPackages.js';
import { PackageRollouts1765200310000 } from './1765200310000-PackageRollouts.js';
import { RolloutFailedEntries1796644800000 } from './1796644800000-RolloutFailedEntries.js';
import { TlsTicketKeys1796700000000 } from './1796700000000-TlsTicketKeys.js';
import { RolloutEvaluationPace1796710000000 } from './1796710000000-RolloutEvaluationPace.js';
import { RolloutEntriesWithoutRolloutCheck1796730000000 } from './1796730000000-RolloutEntriesWithoutRolloutCheck.js';

/** Every migration, in order. The schema changes only through these (synchronize is never on). */
export const MIGRATIONS = [
  Foundation1763884800000,
  LocalCa1763971200000,
  Acme1763971300000,
  ProfilesAndRollouts1763971500000,
  LoginAttempts1763971600000,
  Migration1763971700000,
  RolloutDeliveries1763972000000,
  AgentVia1763972100000,
  RolloutDueIndex1763972200000,
  RolloutDueWork1763972300000,
  EnrollmentRetry1763972400000,
  LastSeenFromNode1763972500000,
  EnrollmentTokenScope1765000100000,
  TrustAnchors1765000200000,
  RolloutOpenWork1765000400000,
  CertificateRotations1765000700000,
  AutomaticRotation1765100000000,
  NodeLease1765100200000,
  ReportedGroups1765100400000,
  SessionIds1765100600000,
  ListenerFailures1765100610000,
  DiagnosticBundles1765200200000,
  AgentPackages1765200300000,
  PackageRollouts1765200310000,
  RolloutFailedEntries1796644800000,
  TlsTicketKeys1796700000000,
  RolloutEvaluationPace1796710000000,
  RolloutEntriesWithoutRolloutCheck1796730000000,
];
