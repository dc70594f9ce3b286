/**
 * Genesys Cloud region domains. A region domain `{env}` maps to `https://login.{env}` and
 * `https://api.{env}`. The list follows the official SDK's PureCloudRegionHosts
 * (purecloud-platform-client-v2 262.0.0) plus euw3.pure.cloud (EU Paris).
 */
export const GENESYS_REGIONS: readonly string[] = Object.freeze([
  'mypurecloud.com', // us-east-1
  'use2.us-gov-pure.cloud', // us-east-2 (FedRAMP)
  'usw2.pure.cloud', // us-west-2
  'cac1.pure.cloud', // ca-central-1
  'mxc1.pure.cloud', // mx-central-1
  'sae1.pure.cloud', // sa-east-1
  'mypurecloud.ie', // eu-west-1
  'euw2.pure.cloud', // eu-west-2
  'euw3.pure.cloud', // eu-west-3
  'mypurecloud.de', // eu-central-1
  'euc2.pure.cloud', // eu-central-2
  'edee1.eusc-pure.cloud', // eusc-de-east-1 (EU sovereign cloud)
  'mec1.pure.cloud', // me-central-1
  'aps1.pure.cloud', // ap-south-1
  'apse1.pure.cloud', // ap-southeast-1
  'mypurecloud.com.au', // ap-southeast-2
  'mypurecloud.jp', // ap-northeast-1
  'apne2.pure.cloud', // ap-northeast-2
  'apne3.pure.cloud', // ap-northeast-3
]);

/** Login and API origins of a region domain, or undefined when the domain is not a known region. */
export function regionOrigins(region: string): { loginUrl: string; apiUrl: string } | undefined {
  const domain = region.trim().toLowerCase().replace(/\.$/, '');
  if (!GENESYS_REGIONS.includes(domain)) return undefined;
  return { loginUrl: `https://login.${domain}`, apiUrl: `https://api.${domain}` };
}
