/**
 * The part of `oidc-provider` (v9, which ships no types) that the test identity provider uses.
 * Ambient, so `import { Provider } from 'oidc-provider'` type-checks.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage as Req, ServerResponse as Res } from 'node:http';

  interface Interaction {
    uid: string;
    prompt: { name: string; details: { missingOIDCScope?: string[]; missingOIDCClaims?: string[] } };
    params: Record<string, unknown> & { client_id: string };
    session?: { accountId: string };
    grantId?: string;
  }

  interface Grant {
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    save(): Promise<string>;
  }

  export class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    callback(): (req: Req, res: Res) => void;
    interactionDetails(req: Req, res: Res): Promise<Interaction>;
    interactionFinished(req: Req, res: Res, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    Grant: {
      new (properties: { accountId: string; clientId: string }): Grant;
      find(id: string): Promise<Grant | undefined>;
    };
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
}
