import { MAX_SCIM_PAGE, SCIM } from '../../contract/scim';

/** RFC 7643 §5–7: what this service provider supports, as Okta and Entra ID read it. */
export function serviceProviderConfig(baseUrl: string) {
  return {
    schemas: [SCIM.serviceProviderConfig],
    documentationUri: `${new URL(baseUrl).origin}/api/docs`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_SCIM_PAGE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      { type: 'oauthbearertoken', name: 'Provisioning token', description: 'A token from Settings → Provisioning, sent as Authorization: Bearer sws_…', primary: true },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function resourceTypes(baseUrl: string) {
  return [
    {
      schemas: [SCIM.resourceType],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'A person in the workspace (userType Standard or Client)',
      schema: SCIM.user,
      schemaExtensions: [{ schema: SCIM.enterprise, required: false }],
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/User` },
    },
    {
      schemas: [SCIM.resourceType],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'A directory group; Settings → Provisioning maps groups to roles',
      schema: SCIM.group,
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/Group` },
    },
  ];
}

type Attribute = { name: string; type: string; multiValued?: boolean; required?: boolean; mutability?: string; uniqueness?: string; caseExact?: boolean; subAttributes?: Attribute[] };
const attr = (name: string, type = 'string', extra: Partial<Attribute> = {}): Attribute => ({ name, type, multiValued: false, required: false, mutability: 'readWrite', ...extra });
const full = (a: Attribute): Record<string, unknown> => ({
  caseExact: false,
  returned: 'default',
  uniqueness: 'none',
  ...a,
  ...(a.subAttributes ? { subAttributes: a.subAttributes.map(full) } : {}),
});

export function schemas(baseUrl: string) {
  const list = [
    {
      id: SCIM.user,
      name: 'User',
      attributes: [
        attr('userName', 'string', { required: true, uniqueness: 'server' }),
        attr('externalId', 'string', { caseExact: true }),
        attr('name', 'complex', { subAttributes: [attr('givenName'), attr('familyName'), attr('formatted')] }),
        attr('displayName'),
        attr('emails', 'complex', { multiValued: true, subAttributes: [attr('value'), attr('type'), attr('primary', 'boolean')] }),
        attr('active', 'boolean'),
        attr('locale'),
        attr('timezone'),
        attr('userType'),
        attr('groups', 'complex', { multiValued: true, mutability: 'readOnly', subAttributes: [attr('value', 'string', { mutability: 'readOnly' }), attr('display', 'string', { mutability: 'readOnly' })] }),
      ],
    },
    { id: SCIM.enterprise, name: 'EnterpriseUser', attributes: [attr('department'), attr('employeeNumber')] },
    {
      id: SCIM.group,
      name: 'Group',
      attributes: [
        attr('displayName', 'string', { required: true, uniqueness: 'server' }),
        attr('externalId', 'string', { caseExact: true }),
        attr('members', 'complex', { multiValued: true, subAttributes: [attr('value'), attr('display', 'string', { mutability: 'readOnly' })] }),
      ],
    },
  ];
  return list.map((s) => ({ schemas: [SCIM.schema], ...s, attributes: s.attributes.map(full), meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${s.id}` } }));
}
