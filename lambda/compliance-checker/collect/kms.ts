/** KMS keys the judged resources use: described once per key id, and a customer-managed key's policy read once. */
import type { KMSClient, KeyMetadata } from '@aws-sdk/client-kms';
import { isCustomerManaged, keyFacts, KeyLookup } from '../../../core/policy/from-aws';
import { sdk } from '../sdk';
import type { Scan } from './scan';

export class KeyReader {
  private readonly pending = new Map<string, Promise<boolean | undefined>>();
  private readonly results = new Map<string, boolean | undefined>();
  private readonly policiesRead = new Set<string>();

  constructor(
    private readonly scan: Scan,
    private readonly kms: KMSClient,
  ) {}

  /** The lookup the adapters call synchronously: only keys already described are known. */
  readonly lookup: KeyLookup = (keyId) => this.results.get(keyId);

  /** DescribeKey once per key id; a denied lookup is a recorded error and leaves `customerManaged` unknown. */
  resolve(keyId: string | undefined): Promise<boolean | undefined> {
    if (keyId === undefined || keyId === '') return Promise.resolve(undefined);
    let pending = this.pending.get(keyId);
    if (!pending) {
      pending = (async () => {
        let customerManaged: boolean | undefined;
        try {
          const metadata = (await this.kms.send(new (sdk.kms().DescribeKeyCommand)({ KeyId: keyId }))).KeyMetadata;
          customerManaged = isCustomerManaged(metadata);
          if (customerManaged === true && metadata?.Arn !== undefined) await this.policy(metadata);
        } catch (err) {
          this.scan.recordError('Key', keyId, 'kms:DescribeKey', err);
        }
        this.results.set(keyId, customerManaged);
        return customerManaged;
      })();
      this.pending.set(keyId, pending);
    }
    return pending;
  }

  /**
   * The key policy (MLOPS-KMS-1, -2) and rotation status (MLOPS-KMS-3) of a customer-managed key the judged resources
   * use, once per key. An unreadable one is recorded and judged unknown (non-compliant), never clean.
   */
  private async policy(metadata: KeyMetadata): Promise<void> {
    const arn = metadata.Arn as string;
    if (this.policiesRead.has(arn)) return;
    this.policiesRead.add(arn);
    // Only symmetric encryption keys rotate automatically: the rotation of any other key is not asked (MLOPS-KMS-3
    // reads its key spec and says not applicable).
    const symmetric = (metadata.KeySpec ?? 'SYMMETRIC_DEFAULT') === 'SYMMETRIC_DEFAULT';
    const [policy, rotationEnabled] = await Promise.all([
      this.kms.send(new (sdk.kms().GetKeyPolicyCommand)({ KeyId: arn, PolicyName: 'default' })).then(
        (out) => out.Policy,
        (err: unknown) => void this.scan.recordError('Key', arn, 'kms:GetKeyPolicy', err),
      ),
      symmetric
        ? this.kms.send(new (sdk.kms().GetKeyRotationStatusCommand)({ KeyId: arn })).then(
            (out) => out.KeyRotationEnabled === true,
            (err: unknown) => void this.scan.recordError('Key', arn, 'kms:GetKeyRotationStatus', err),
          )
        : undefined,
    ]);
    this.scan.add(keyFacts(metadata, policy, rotationEnabled));
  }
}
