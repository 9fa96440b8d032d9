export const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SPC_URN = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
