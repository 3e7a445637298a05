import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResponseConfig, ResponseSchemaConfig } from '../../../lambdas/attribute-mapping/swb-api';
import { defaultSwbEndpoint, SwbClient, toApplicationInstanceView } from '../../../lambdas/attribute-mapping/swb-client';
import { error, FakeSwbService } from './helpers/fake-swb-server';
import { expectedSignature, parseAuthorization } from './helpers/sigv4';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const signingDate = new Date('2030-01-02T03:04:05.000Z');
const instanceId = 'ins-5a1e0c9f3b7d2e46';

const responseConfig: ResponseConfig = {
  subject: { source: ['${user:email}'] },
  properties: {
    'https://aws.amazon.com/SAML/Attributes/Role': { source: ['arn:aws:iam::111122223333:role/R,arn:aws:iam::111122223333:saml-provider/P'] },
  },
  ttl: 'PT1H',
};
const responseSchemaConfig: ResponseSchemaConfig = {
  subject: { include: 'REQUIRED', nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' },
  properties: {
    'https://aws.amazon.com/SAML/Attributes/Role': { attrNameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified', include: 'YES' },
  },
};

describe('SwbClient, the console API adapter', () => {
  const service = new FakeSwbService();
  let client: SwbClient;

  beforeAll(async () => {
    await service.start();
  });
  afterAll(async () => {
    await service.stop();
  });
  beforeEach(() => {
    service.reset();
    service.instances.set(instanceId, { responseConfig, responseSchemaConfig });
    client = new SwbClient({ region: 'eu-west-2', endpoint: service.url, credentials, now: () => signingDate });
  });

  it('POSTs JSON 1.1 to /control/ with the SWBService target header', async () => {
    await client.getApplicationInstance(instanceId);
    const [request] = service.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/control/');
    expect(request!.headers['x-amz-target']).toBe('SWBService.GetApplicationInstance');
    expect(request!.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(JSON.parse(request!.body)).toEqual({ instanceId });
  });

  it('signs with SigV4 for service sso in the configured region, and the signature verifies', async () => {
    await client.getApplicationInstance(instanceId);
    const [request] = service.requests;
    const auth = parseAuthorization(request!.headers.authorization);
    expect(auth).toEqual(expect.objectContaining({ accessKeyId: 'AKIDEXAMPLE', date: '20300102', region: 'eu-west-2', service: 'sso' }));
    expect(auth!.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-target', 'content-type', 'x-amz-date']));
    expect(request!.headers['x-amz-date']).toBe('20300102T030405Z');
    expect(auth!.signature).toBe(expectedSignature(request!, credentials.secretAccessKey));
  });

  it('sends and signs the session token of temporary credentials (the Lambda role)', async () => {
    const temporary = { ...credentials, sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN' };
    await new SwbClient({
      region: 'eu-west-2',
      endpoint: service.url,
      credentials: async () => temporary,
      now: () => signingDate,
    }).getApplicationInstance(instanceId);
    const [request] = service.requests;
    expect(request!.headers['x-amz-security-token']).toBe('FwoGZXIvYXdzEXAMPLETOKEN');
    expect(parseAuthorization(request!.headers.authorization)!.signedHeaders).toContain('x-amz-security-token');
    expect(parseAuthorization(request!.headers.authorization)!.signature).toBe(expectedSignature(request!, credentials.secretAccessKey));
  });

  it('writes the response configuration with the documented body shape', async () => {
    await client.updateApplicationInstanceResponseConfiguration(instanceId, responseConfig);
    const [request] = service.requests;
    expect(request!.headers['x-amz-target']).toBe('SWBService.UpdateApplicationInstanceResponseConfiguration');
    expect(JSON.parse(request!.body)).toEqual({ instanceId, responseConfig });
    expect(parseAuthorization(request!.headers.authorization)!.signature).toBe(expectedSignature(request!, credentials.secretAccessKey));
  });

  it('writes the response schema configuration with the documented body shape', async () => {
    await client.updateApplicationInstanceResponseSchemaConfiguration(instanceId, responseSchemaConfig);
    const [request] = service.requests;
    expect(request!.headers['x-amz-target']).toBe('SWBService.UpdateApplicationInstanceResponseSchemaConfiguration');
    expect(JSON.parse(request!.body)).toEqual({ instanceId, responseSchemaConfig });
  });

  it('reads the mapping whether the API returns it at the top level or under applicationInstance', async () => {
    expect(await client.getApplicationInstance(instanceId)).toEqual({ instanceId, responseConfig, responseSchemaConfig });
    service.nested = true;
    expect(await client.getApplicationInstance(instanceId)).toEqual({ instanceId, responseConfig, responseSchemaConfig });
  });

  it('reports no mapping when the API returns none', async () => {
    service.returnsConfig = false;
    expect(await client.getApplicationInstance(instanceId)).toEqual({ instanceId });
  });

  it('surfaces throttling as Mapping.Throttled, the name the state machine retries', async () => {
    service.failNext('UpdateApplicationInstanceResponseConfiguration', error(400, 'ThrottlingException', 'Rate exceeded'));
    await expect(client.updateApplicationInstanceResponseConfiguration(instanceId, responseConfig)).rejects.toMatchObject({
      name: 'Mapping.Throttled',
      message: expect.stringContaining('Rate exceeded'),
    });
  });

  it('treats HTTP 429 without a body as throttling', async () => {
    service.failNext('GetApplicationInstance', { status: 429, body: '' });
    await expect(client.getApplicationInstance(instanceId)).rejects.toMatchObject({ name: 'Mapping.Throttled' });
  });

  it('surfaces a 5xx as Mapping.ServiceError (retried)', async () => {
    service.failNext('GetApplicationInstance', error(503, 'ServiceUnavailableException', 'try later'));
    await expect(client.getApplicationInstance(instanceId)).rejects.toMatchObject({ name: 'Mapping.ServiceError' });
  });

  it('surfaces AccessDeniedException as Mapping.AccessDenied', async () => {
    service.failNext('GetApplicationInstance', error(400, 'AccessDeniedException', 'not authorized to perform sso:GetApplicationInstance'));
    await expect(client.getApplicationInstance(instanceId)).rejects.toMatchObject({
      name: 'Mapping.AccessDenied',
      message: expect.stringContaining('sso:GetApplicationInstance'),
    });
  });

  it('surfaces a validation refusal as Mapping.Rejected carrying the AWS error type and message', async () => {
    service.failNext('UpdateApplicationInstanceResponseSchemaConfiguration', error(400, 'ValidationException', 'nameIdFormat is invalid'));
    await expect(client.updateApplicationInstanceResponseSchemaConfiguration(instanceId, responseSchemaConfig)).rejects.toMatchObject({
      name: 'Mapping.Rejected',
      awsType: 'ValidationException',
      statusCode: 400,
      message: expect.stringContaining('nameIdFormat is invalid'),
    });
  });

  it('reads the error type from the x-amzn-ErrorType header when the body has none', async () => {
    service.failNext('GetApplicationInstance', {
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
    const unreachable = new SwbClient({ region: 'eu-west-2', endpoint: `http://127.0.0.1:${port}/control/`, credentials });
    await expect(unreachable.getApplicationInstance(instanceId)).rejects.toMatchObject({ name: 'Mapping.ServiceError' });
  });

  it('refuses to start without a region', () => {
    expect(() => new SwbClient({ region: '', credentials })).toThrow(expect.objectContaining({ name: 'Config.Invalid' }));
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
