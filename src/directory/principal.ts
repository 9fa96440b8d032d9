import type { Protocol } from '../store/ports/index.ts';

/** Who a request acts for, settled before any service is called. Services take it as an argument. */
export interface Principal {
  userId: string;
  tenantId: string;
  /** The user's login address. */
  address: string;
  via: 'password' | 'app-password' | 'bearer';
  appPasswordId?: string;
}

/** `account` is the account page, where the bare password is always allowed. */
export type AuthContext = Protocol | 'account';
