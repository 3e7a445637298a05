import { handler as applyHandler } from '../../../lambdas/attribute-mapping/apply';
import { handler as revertHandler } from '../../../lambdas/attribute-mapping/revert';

describe('AttributeMapping handlers', () => {
  it('refuse an input that is not the execution document before any call', async () => {
    await expect(applyHandler({ bucket: 'b', key: 'metadata/admin/idp.xml' })).rejects.toMatchObject({ name: 'Document.Invalid' });
    await expect(revertHandler(null)).rejects.toMatchObject({ name: 'Document.Invalid' });
  });
});
