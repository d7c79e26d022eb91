/**
 * The region's EventBridge rules on the default event bus and their targets (MLOPS-EVENTS-1), read once per
 * collection: ListRules, then ListTargetsByRule for each rule. The SDK has no paginators for either, so both follow
 * NextToken. A failed listing is one error for the kind (the rule is then not evaluated); a rule whose targets could
 * not be read has an unknown target list (judged unknown, never compliant).
 */
import type { EventBridgeClient, Rule, Target } from '@aws-sdk/client-eventbridge';
import type { ResourceFacts } from '../../../core/policy/facts';
import { eventRuleFacts } from '../../../core/policy/from-aws';
import { sdk } from '../sdk';
import { Scan, SKIPPED } from './scan';

/** EventBridge's largest page for ListRules and ListTargetsByRule. */
const MAX_PAGE = 100;

export class EventsReader {
  constructor(
    private readonly scan: Scan,
    private readonly events: EventBridgeClient,
  ) {}

  /** Every rule of the default bus with its targets; `buckets` (capture destinations marked) give bucket purposes. */
  async all(buckets: readonly ResourceFacts[]): Promise<void> {
    const rules = await this.scan.list('EventRule', 'events:ListRules', () => this.rules());
    await this.scan.each(rules, async (rule) => {
      const name = rule.Name ?? rule.Arn ?? '';
      const targets = await this.scan.attempt('EventRule', name, 'events:ListTargetsByRule', () => this.targets(name));
      this.scan.add(eventRuleFacts(rule, targets === SKIPPED ? undefined : targets, buckets));
    });
  }

  private async rules(): Promise<Rule[]> {
    const out: Rule[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.events.send(
        new (sdk.events().ListRulesCommand)({ Limit: Math.min(this.scan.pageSize, MAX_PAGE), NextToken }),
      );
      out.push(...(page.Rules ?? []));
      NextToken = page.NextToken;
    } while (NextToken !== undefined);
    return out;
  }

  private async targets(rule: string): Promise<Target[]> {
    const out: Target[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.events.send(
        new (sdk.events().ListTargetsByRuleCommand)({
          Rule: rule,
          Limit: Math.min(this.scan.pageSize, MAX_PAGE),
          NextToken,
        }),
      );
      out.push(...(page.Targets ?? []));
      NextToken = page.NextToken;
    } while (NextToken !== undefined);
    return out;
  }
}
