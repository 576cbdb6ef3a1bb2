// The sink's load-balancing policy: token-aware over round robin (or DC-aware round robin), and
// every host `ignored` once the sink has closed its client. The driver (4.x) starts a host's
// 200 ms health-count interval each time it sets the host's distance, and a control-connection
// refresh or a re-prepare still in flight at shutdown() does so after the pools are shut down:
// an interval nobody clears, which keeps the process alive. For an ignored host it starts none.
import cassandra from 'cassandra-driver';

const { policies, types } = cassandra;

export class ClosablePolicy extends policies.loadBalancing.TokenAwarePolicy {
  private closed = false;
  /** every host the driver asked about (it may replace a host's object on a topology refresh) */
  private readonly seen = new Set<cassandra.Host>();

  constructor(datacenter: string | undefined) {
    super(datacenter === undefined ? new policies.loadBalancing.RoundRobinPolicy() : new policies.loadBalancing.DCAwareRoundRobinPolicy(datacenter));
  }

  override getDistance(host: cassandra.Host): cassandra.types.distance {
    this.seen.add(host);
    return this.closed ? types.distance.ignored : super.getDistance(host);
  }

  /** From now on every host is ignored (call before the client's shutdown()). */
  close(): void {
    this.closed = true;
  }

  /** After shutdown(): every host seen set ignored again, which clears its interval. */
  release(): void {
    for (const host of this.seen) (host as Partial<DistanceSetter>).setDistance?.(types.distance.ignored);
    this.seen.clear();
  }
}

/** Host.setDistance: in the driver, not in its typings */
interface DistanceSetter {
  setDistance(distance: cassandra.types.distance): void;
}
