import type { Directory } from '../directory/index.ts';
import type { Logger } from '../logging.ts';
import type { KeyValue } from '../store/ports/index.ts';
import type { Delivery } from './delivery.ts';
import type { InboundCheck } from './inbound-auth.ts';

/** What a listener is for: clients submitting (587/465), the internet delivering (25), or a relay by LMTP. */
export type Role = 'submission' | 'mx' | 'lmtp';

export interface HookDeps {
  directory: Directory;
  delivery: Delivery;
  inbound: InboundCheck;
  kv: KeyValue;
  logger: Logger;
  /** The name in our Received headers and greeting. */
  hostname: string;
  /** Messages a user may submit per hour; 0 = no limit. */
  rateLimitPerHour: number;
  trustedPeers: readonly string[];
}
