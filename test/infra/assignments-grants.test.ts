/**
 * The assignments functions' grants (a synth): they reach only the applications of profiles that assign someone, and a
 * profile that would need a grant on every application of the account is refused.
 */
import { parseFederationConfig } from '../../lambdas/shared/profile';
import { exampleConfig } from '../helpers/document';
import { ACCOUNT, functionRoles, roleStatements, synthWithoutBundling } from './cfn';

describe('the assignments functions’ grants', () => {
  it('reach only the applications of profiles that assign someone, never every application of the account', () => {
    const config = parseFederationConfig({
      ...exampleConfig,
      profiles: {
        ...exampleConfig.profiles,
        partner: {
          identityProvider: { name: 'PartnerIdP' },
          role: { name: 'PartnerFederation' },
          policy: { managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] },
          application: { displayName: 'Partner console' },
        },
      },
    });
    const synth = synthWithoutBundling(config);
    for (const [key, action] of [
      ['assignmentsApply', 'sso:CreateApplicationAssignment'],
      ['assignmentsRevert', 'sso:DeleteApplicationAssignment'],
    ] as const) {
      const on = roleStatements(synth.json, functionRoles(synth)[key]!)
        .filter((s) => s.Effect === 'Allow' && s.actions.includes(action))
        .flatMap((s) => s.resources);
      expect(on).not.toContain(`arn:aws:sso::${ACCOUNT}:application/*/*`);
    }
  });

  it('a profile that assigns people to an application named by display name alone fails synth, saying what to set', () => {
    expect(() =>
      parseFederationConfig({
        profiles: {
          partner: {
            policy: { managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] },
            application: { displayName: 'Partner console', assignments: { groups: ['Partners'] } },
          },
        },
      }),
    ).toThrow(/profiles\.partner\.application\.assignments: with assignments, set arn \(or at least instanceArn\)/);
  });
});
