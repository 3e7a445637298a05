import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toApplicationInstanceView, toCertificates } from '../../../lambdas/identity-center/console-answers';
import type { ResponseConfig, ResponseSchemaConfig } from '../../../lambdas/identity-center/console-api';
import { ConsoleApiClient, defaultSwbEndpoint } from '../../../lambdas/identity-center/console-client';
import { SimulatedAccount, SwbServiceFault } from '../../../simulated-account';
import { type SwbEndpointOptions, SwbHttpEndpoint } from '../../helpers/swb-http';
import { expectedSignature, parseAuthorization } from '../attribute-mapping/helpers/sigv4';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const signingDate = new Date('2030-01-02T03:04:05.000Z');
const instanceArn = 'arn:aws:sso:::instance/ssoins-72236f2e1c0a9b84';
const applicationArn = 'arn:aws:sso::111122223333:application/ssoins-72236f2e1c0a9b84/apl-5a1e0c9f3b7d2e46';
const instanceId = 'ins-5a1e0c9f3b7d2e46';
const ROLE = 'https://aws.amazon.com/SAML/Attributes/Role';

const responseConfig: ResponseConfig = {
  subject: { source: ['${user:email}'] },
  properties: {
    [ROLE]: { source: ['arn:aws:iam::111122223333:role/R,arn:aws:iam::111122223333:saml-provider/P'] },
  },
  ttl: 'PT1H',
};
const responseSchemaConfig: ResponseSchemaConfig = {
  subject: { include: 'REQUIRED', nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' },
  properties: {
    [ROLE]: { attrNameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified', include: 'YES' },
  },
};
/** What a write sends: different from the seeded mapping, so that the account shows whether it arrived. */
const newResponseConfig: ResponseConfig = {
  ...responseConfig,
  properties: { [ROLE]: { source: ['arn:aws:iam::111122223333:role/New,arn:aws:iam::111122223333:saml-provider/New'] } },
};
const newResponseSchemaConfig: ResponseSchemaConfig = {
  ...responseSchemaConfig,
  properties: { [ROLE]: { attrNameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri', include: 'YES' } },
};

/** An account whose application already has a mapping, as if set in the console. */
function consoleAccount(options: { swbReturnsConfiguration?: boolean } = {}): SimulatedAccount {
  const account = new SimulatedAccount(options);
  account.addIdentityCenterInstance({ arn: instanceArn });
  account.addApplication({ name: 'Amazon Connect admins', arn: applicationArn });
  account.setApplicationConfiguration(instanceId, { responseConfig, responseSchemaConfig });
  return account;
}

describe('ConsoleApiClient, the console API adapter', () => {
  const started: SwbHttpEndpoint[] = [];
  let account: SimulatedAccount;
  let endpoint: SwbHttpEndpoint;
  let client: ConsoleApiClient;

  /** The account's console API on 127.0.0.1, stopped after the test. */
  async function serve(on: SimulatedAccount, options: SwbEndpointOptions = {}): Promise<SwbHttpEndpoint> {
    const served = new SwbHttpEndpoint(on, options);
    await served.start();
    started.push(served);
    return served;
  }

  function clientOf(served: SwbHttpEndpoint): ConsoleApiClient {
    return new ConsoleApiClient({ region: 'eu-west-2', endpoint: served.url, credentials, now: () => signingDate });
  }

  const storedMapping = () => account.snapshot().swb[instanceId];

  beforeEach(async () => {
    account = consoleAccount();
    endpoint = await serve(account);
    client = clientOf(endpoint);
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((served) => served.stop()));
  });

  it('POSTs JSON 1.1 to /control/ with the SWBService target header', async () => {
    await client.getApplicationInstance(instanceId);
    const [request] = endpoint.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/control/');
    expect(request!.headers['x-amz-target']).toBe('SWBService.GetApplicationInstance');
    expect(request!.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(JSON.parse(request!.body)).toEqual({ instanceId });
    expect(account.calls).toEqual([
      { account: account.account, service: 'swb', operation: 'GetApplicationInstance', input: { instanceId }, mutating: false, outcome: 'ok' },
    ]);
  });

  it('signs with SigV4 for service sso in the configured region, and the signature verifies', async () => {
    await client.getApplicationInstance(instanceId);
    const [request] = endpoint.requests;
    const auth = parseAuthorization(request!.headers.authorization);
    expect(auth).toEqual(expect.objectContaining({ accessKeyId: 'AKIDEXAMPLE', date: '20300102', region: 'eu-west-2', service: 'sso' }));
    expect(auth!.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-target', 'content-type', 'x-amz-date']));
    expect(request!.headers['x-amz-date']).toBe('20300102T030405Z');
    expect(auth!.signature).toBe(expectedSignature(request!, credentials.secretAccessKey));
  });

  it('sends and signs the session token of temporary credentials (the Lambda role)', async () => {
    const temporary = { ...credentials, sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN' };
    await new ConsoleApiClient({
      region: 'eu-west-2',
      endpoint: endpoint.url,
      credentials: async () => temporary,
      now: () => signingDate,
    }).getApplicationInstance(instanceId);
    const [request] = endpoint.requests;
    expect(request!.headers['x-amz-security-token']).toBe('FwoGZXIvYXdzEXAMPLETOKEN');
    expect(parseAuthorization(request!.headers.authorization)!.signedHeaders).toContain('x-amz-security-token');
    expect(parseAuthorization(request!.headers.authorization)!.signature).toBe(expectedSignature(request!, credentials.secretAccessKey));
  });

  it('writes the response configuration with the documented body shape', async () => {
    await client.updateApplicationInstanceResponseConfiguration(instanceId, newResponseConfig);
    const [request] = endpoint.requests;
    expect(request!.headers['x-amz-target']).toBe('SWBService.UpdateApplicationInstanceResponseConfiguration');
    expect(JSON.parse(request!.body)).toEqual({ instanceId, responseConfig: newResponseConfig });
    expect(parseAuthorization(request!.headers.authorization)!.signature).toBe(expectedSignature(request!, credentials.secretAccessKey));
    expect(storedMapping()).toEqual({ responseConfig: newResponseConfig, responseSchemaConfig });
  });

  it('writes the response schema configuration with the documented body shape', async () => {
    await client.updateApplicationInstanceResponseSchemaConfiguration(instanceId, newResponseSchemaConfig);
    const [request] = endpoint.requests;
    expect(request!.headers['x-amz-target']).toBe('SWBService.UpdateApplicationInstanceResponseSchemaConfiguration');
    expect(JSON.parse(request!.body)).toEqual({ instanceId, responseSchemaConfig: newResponseSchemaConfig });
    expect(storedMapping()).toEqual({ responseConfig, responseSchemaConfig: newResponseSchemaConfig });
  });

  it('reads the mapping whether the API returns it at the top level or under applicationInstance', async () => {
    const metadataUrl = expect.stringMatching(/^https:\/\/portal\.sso\.us-east-1\.amazonaws\.com\/saml\/metadata\//);
    // The application's service provider settings too: where it posts its assertions, and to whom.
    const serviceProvider = { audience: 'urn:amazon:webservices', acsUrls: ['https://signin.aws.amazon.com/saml'] };
    expect(await client.getApplicationInstance(instanceId)).toEqual({
      instanceId,
      metadataUrl,
      responseConfig,
      responseSchemaConfig,
      serviceProvider,
    });
    const nested = await serve(account, { nested: true });
    expect(await clientOf(nested).getApplicationInstance(instanceId)).toEqual({
      instanceId,
      metadataUrl,
      responseConfig,
      responseSchemaConfig,
      serviceProvider,
    });
    // What the nested endpoint sends: the mapping only under applicationInstance (it checks no signature, so a bare POST does).
    const raw = await fetch(nested.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'SWBService.GetApplicationInstance' },
      body: JSON.stringify({ instanceId }),
    });
    expect(await raw.json()).toEqual({
      instanceId,
      applicationInstance: expect.objectContaining({ instanceId, responseConfig, responseSchemaConfig }),
    });
  });

  it('reports no mapping when the API returns none', async () => {
    const hiding = consoleAccount({ swbReturnsConfiguration: false });
    expect(await clientOf(await serve(hiding)).getApplicationInstance(instanceId)).toEqual({
      instanceId,
      metadataUrl: expect.any(String),
      serviceProvider: expect.any(Object),
    });
  });

  it('surfaces throttling as Mapping.Throttled, the name the state machine retries', async () => {
    account.faults.inject({
      service: 'swb',
      operation: 'UpdateApplicationInstanceResponseConfiguration',
      error: new SwbServiceFault('UpdateApplicationInstanceResponseConfiguration', 'ThrottlingException', 'Rate exceeded'),
    });
    await expect(client.updateApplicationInstanceResponseConfiguration(instanceId, newResponseConfig)).rejects.toMatchObject({
      name: 'Mapping.Throttled',
      message: expect.stringContaining('Rate exceeded'),
    });
    expect(storedMapping()).toEqual({ responseConfig, responseSchemaConfig });
  });

  it('treats HTTP 429 without a body as throttling', async () => {
    endpoint.answerNext('GetApplicationInstance', { status: 429, body: '' });
    await expect(client.getApplicationInstance(instanceId)).rejects.toMatchObject({ name: 'Mapping.Throttled' });
  });

  it('surfaces a 5xx as Mapping.ServiceError (retried), from the service or from a load balancer', async () => {
    account.faults.inject({ service: 'swb', operation: 'GetApplicationInstance', error: 'InternalServerException' });
    await expect(client.getApplicationInstance(instanceId)).rejects.toMatchObject({ name: 'Mapping.ServiceError' });
    // 503 is no error type the service model names; it comes from in front of the service.
    endpoint.answerNext('GetApplicationInstance', {
      status: 503,
      body: JSON.stringify({ __type: 'com.amazonaws.swbservice#ServiceUnavailableException', message: 'try later' }),
    });
    await expect(client.getApplicationInstance(instanceId)).rejects.toMatchObject({ name: 'Mapping.ServiceError' });
  });

  it('surfaces AccessDeniedException, or a bare HTTP 403, as Mapping.AccessDenied', async () => {
    account.faults.inject({
      service: 'swb',
      operation: 'GetApplicationInstance',
      error: new SwbServiceFault('GetApplicationInstance', 'AccessDeniedException', 'not authorized to perform sso:GetApplicationInstance'),
    });
    await expect(client.getApplicationInstance(instanceId)).rejects.toMatchObject({
      name: 'Mapping.AccessDenied',
      message: expect.stringContaining('sso:GetApplicationInstance'),
    });
    endpoint.answerNext('GetApplicationInstance', { status: 403, body: '' });
    await expect(client.getApplicationInstance(instanceId)).rejects.toMatchObject({ name: 'Mapping.AccessDenied' });
  });

  it('surfaces a validation refusal as Mapping.Rejected carrying the AWS error type and message', async () => {
    // The account holds the request to the console's model: a schema subject must say whether it is included.
    const malformed = {
      ...newResponseSchemaConfig,
      subject: { nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' },
    } as unknown as ResponseSchemaConfig;
    await expect(client.updateApplicationInstanceResponseSchemaConfiguration(instanceId, malformed)).rejects.toMatchObject({
      name: 'Mapping.Rejected',
      awsType: 'ValidationException',
      statusCode: 400,
      message: expect.stringContaining("Value null at 'responseSchemaConfig.subject.include' failed to satisfy constraint"),
    });
    expect(storedMapping()).toEqual({ responseConfig, responseSchemaConfig });
  });

  it('surfaces an unknown application instance as Mapping.Rejected with the not-found type', async () => {
    await expect(client.getApplicationInstance('ins-0000000000000000')).rejects.toMatchObject({
      name: 'Mapping.Rejected',
      awsType: 'ResourceNotFoundException',
      statusCode: 404,
    });
  });

  it('reads the error type from the x-amzn-ErrorType header when the body has none', async () => {
    endpoint.answerNext('GetApplicationInstance', {
      status: 400,
      body: '',
      headers: { 'x-amzn-ErrorType': 'ThrottlingException:http://internal.amazon.com/' },
    });
    await expect(client.getApplicationInstance(instanceId)).rejects.toMatchObject({ name: 'Mapping.Throttled' });
  });

  it('turns an unreachable endpoint into Mapping.ServiceError so that the call is retried', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = new ConsoleApiClient({ region: 'eu-west-2', endpoint: `http://127.0.0.1:${port}/control/`, credentials });
    await expect(unreachable.getApplicationInstance(instanceId)).rejects.toMatchObject({ name: 'Mapping.ServiceError' });
  });

  it('refuses to start without a region', () => {
    expect(() => new ConsoleApiClient({ region: '', credentials })).toThrow(expect.objectContaining({ name: 'Config.Invalid' }));
  });

  it('targets the regional console endpoint by default', () => {
    expect(defaultSwbEndpoint('us-east-1')).toBe('https://sso.us-east-1.amazonaws.com/control/');
    expect(defaultSwbEndpoint('cn-north-1')).toBe('https://sso.cn-north-1.amazonaws.com.cn/control/');
  });
});

describe('reading a GetApplicationInstance answer of unconfirmed shape', () => {
  it('leaves out a part it cannot read rather than guess it', () => {
    const view = toApplicationInstanceView(instanceId, { responseConfig: { subject: 'not-a-source', properties: {} }, responseSchemaConfig });
    expect(view).toEqual({ instanceId, responseSchemaConfig });
  });

  it('accepts a configuration without properties and fills the default ttl', () => {
    expect(toApplicationInstanceView(instanceId, { responseConfig: { subject: { source: ['${user:email}'] } } }).responseConfig).toEqual({
      subject: { source: ['${user:email}'] },
      properties: {},
      ttl: 'PT1H',
    });
  });

  it('returns only the instance id for an empty or odd answer', () => {
    expect(toApplicationInstanceView(instanceId, null)).toEqual({ instanceId });
    expect(toApplicationInstanceView(instanceId, ['x'])).toEqual({ instanceId });
  });
});

describe('reading the certificate list, whose shape the public evidence leaves open', () => {
  const EXPIRY = '2031-01-01T00:00:00.000Z';
  const seconds = Date.parse(EXPIRY) / 1000;

  it.each([
    ['ISO 8601 text (the public model)', EXPIRY],
    ['epoch seconds (the AWS JSON timestamp)', seconds],
    ['epoch milliseconds (a number of unstated unit, in the clone)', seconds * 1000],
    ['epoch seconds sent as text', String(seconds)],
  ])('reads an expiry given as %s', (_form, expiryDate) => {
    expect(toCertificates({ certificates: [{ certificateId: 'c1', status: 'ACTIVE', expiryDate }] })).toEqual([
      { certificateId: 'c1', status: 'ACTIVE', expiryDate: EXPIRY },
    ]);
  });

  it.each(['certificates', 'applicationInstanceCertificates', 'certificateList'])('finds the list under %s', (key) => {
    expect(toCertificates({ [key]: [{ certificateId: 'c1', status: 'ACTIVE', notAfter: EXPIRY }] })).toEqual([
      { certificateId: 'c1', status: 'ACTIVE', expiryDate: EXPIRY },
    ]);
  });

  it('keeps a certificate whose expiry it cannot read without an expiry, and drops one without id or status', () => {
    expect(
      toCertificates({
        certificates: [{ certificateId: 'c1', status: 'ACTIVE', expiryDate: 'soon' }, { status: 'ACTIVE' }, { certificateId: 'c3' }],
      }),
    ).toEqual([{ certificateId: 'c1', status: 'ACTIVE' }]);
  });
});
