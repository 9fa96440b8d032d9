/**
 * Autodiscover v2 (`/autodiscover/autodiscover.json/v1.0/{address}?Protocol=…`): a JSON pointer to
 * the service a client asks for. Outlook asks for `AutodiscoverV1` to learn where to post its POX
 * request; that is the one protocol we serve. Other names (ActiveSync, Ews, Rest, …) get the 400
 * `InvalidProtocol` answer Exchange Online gives, so the client stops asking for them here.
 */
import type { PublicEndpoints } from './endpoints.ts';
import { poxUrl } from './services.ts';

export type AutodiscoverV2Body = { Protocol: string; Url: string } | { ErrorCode: string; ErrorMessage: string };

export interface AutodiscoverV2Answer {
  status: 200 | 400;
  body: AutodiscoverV2Body;
}

const SERVED = 'AutodiscoverV1';

/** The answer for a requested protocol; a missing one means AutodiscoverV1, the only one there is. */
export function autodiscoverV2(protocol: string | undefined, e: PublicEndpoints): AutodiscoverV2Answer {
  if (protocol === undefined || protocol.toLowerCase() === SERVED.toLowerCase()) {
    return { status: 200, body: { Protocol: SERVED, Url: poxUrl(e) } };
  }
  return {
    status: 400,
    body: { ErrorCode: 'InvalidProtocol', ErrorMessage: `The given protocol value '${protocol}' is invalid. Supported values are '${SERVED}'` },
  };
}
