/**
 * CloudFormation reads over the query protocol with `fetch` (DescribeStacks, ListStackResources):
 * `@aws-sdk/client-cloudformation` is not a dependency of this repo.
 */
/**
 * One CloudFormation query-protocol call. moto does not verify signatures, so the Authorization header only names
 * the service and region it routes by.
 */
export async function cfnQuery(
  endpoint: string,
  region: string,
  action: string,
  params: Record<string, string>,
): Promise<string> {
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20250101/${region}/cloudformation/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ Action: action, Version: '2010-05-15', ...params }).toString(),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`CloudFormation ${action} -> HTTP ${res.status}: ${text.slice(0, 500)}`);
  return text;
}

/** `<member>` elements of a query-protocol response as flat records of their leaf elements. */
export function xmlMembers(xml: string): Record<string, string>[] {
  return [...xml.matchAll(/<member>([\s\S]*?)<\/member>/g)].map((m) =>
    Object.fromEntries([...(m[1] ?? '').matchAll(/<(\w+)>([^<]*)<\/\1>/g)].map((f) => [f[1], f[2]])),
  );
}
