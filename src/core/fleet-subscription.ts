// Fleet mode: each connector subscribes through a shared subscription, so the broker splits its
// messages across every process that runs it. Tenant and connector names are [A-Za-z0-9_.-],
// so the group is a valid share name whenever the template is (settings.ts checks that).

/** The share group of a connector: `{tenant}` and `{name}` of the template replaced. */
export function shareGroupOf(template: string, tenant: string, name: string): string {
  return template.replaceAll('{tenant}', tenant).replaceAll('{name}', name);
}

/** What a fleet member subscribes to: `$share/<group>/<filter>`; a filter that is already shared is kept as written. */
export function sharedFilter(group: string, filter: string): string {
  return filter.startsWith('$share/') ? filter : `$share/${group}/${filter}`;
}

/** The subscription of each connector in fleet mode, for the runtime. */
export function fleetSubscription(template: string): (tenant: string, name: string, filter: string) => string {
  return (tenant, name, filter) => sharedFilter(shareGroupOf(template, tenant, name), filter);
}
