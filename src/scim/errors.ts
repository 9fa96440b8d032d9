/** The one error type of the SCIM core; the HTTP front turns it into the RFC 7644 §3.12 Error body. */

/** RFC 7644 §3.12 Table 9, the `scimType` values a 400 (or 409) may carry. */
export type ScimErrorType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export const ERROR_SCHEMA_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';

export class ScimError extends Error {
  readonly status: number;
  readonly scimType: ScimErrorType | undefined;

  constructor(status: number, scimType: ScimErrorType | undefined, detail: string) {
    super(detail);
    this.name = 'ScimError';
    this.status = status;
    this.scimType = scimType;
  }

  /** The human-readable `detail` of the Error body. */
  get detail(): string {
    return this.message;
  }
}
