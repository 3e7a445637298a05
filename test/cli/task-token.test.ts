import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { confirmMapping, rejectMapping } from '../../cli/task-token';

const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAe1xZXhhbXBsZS10YXNrLXRva2Vu';

describe('answering the manual attribute-mapping wait', () => {
  const sfn = new SFNClient({ region: 'us-east-1' });
  const mock = mockClient(sfn);
  beforeEach(() => {
    mock.reset();
    mock.onAnyCommand().resolves({});
  });

  it('confirm sends SendTaskSuccess with the token and a JSON output', async () => {
    await confirmMapping(sfn, TOKEN);
    const calls = mock.commandCalls(SendTaskSuccessCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({ taskToken: TOKEN, output: JSON.stringify({ confirmed: true }) });
  });

  it('confirm passes the given output on, and trims the pasted token', async () => {
    await confirmMapping(sfn, `  ${TOKEN}\n`, { confirmedBy: 'alice' });
    expect(mock.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input).toEqual({ taskToken: TOKEN, output: '{"confirmedBy":"alice"}' });
  });

  it('reject sends SendTaskFailure named Mapping.RejectedByOperator with the reason', async () => {
    await rejectMapping(sfn, TOKEN, 'the Role attribute names the wrong provider');
    expect(mock.commandCalls(SendTaskFailureCommand)[0]!.args[0].input).toEqual({
      taskToken: TOKEN,
      error: 'Mapping.RejectedByOperator',
      cause: 'the Role attribute names the wrong provider',
    });
    expect(mock.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('reject without a reason still says an operator rejected it', async () => {
    await rejectMapping(sfn, TOKEN, ' ');
    expect(mock.commandCalls(SendTaskFailureCommand)[0]!.args[0].input.cause).toMatch(/rejected by an operator/);
  });

  it('refuses an empty token without calling Step Functions', async () => {
    await expect(confirmMapping(sfn, '  ')).rejects.toThrow(/task token: empty/);
    await expect(rejectMapping(sfn, '', 'no')).rejects.toThrow(/task token: empty/);
    expect(mock.calls()).toHaveLength(0);
  });

  it('lets Step Functions errors through with their names (a token that already timed out)', async () => {
    mock.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('Task Timed Out'), { name: 'TaskTimedOut' }));
    await expect(confirmMapping(sfn, TOKEN)).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });
});
