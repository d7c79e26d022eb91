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
   * The key policy of a customer-managed key the judged resources use (MLOPS-KMS-1), once per key. An unreadable
   * policy is recorded and judged unknown (non-compliant), never clean.
   */
  private async policy(metadata: KeyMetadata): Promise<void> {
    const arn = metadata.Arn as string;
    if (this.policiesRead.has(arn)) return;
    this.policiesRead.add(arn);
    let policy: string | undefined;
    try {
      policy = (await this.kms.send(new (sdk.kms().GetKeyPolicyCommand)({ KeyId: arn, PolicyName: 'default' }))).Policy;
    } catch (err) {
      this.scan.recordError('Key', arn, 'kms:GetKeyPolicy', err);
    }
    this.scan.add(keyFacts(metadata, policy));
  }
}
