// The sink's load-balancing policy: token-aware over round robin (or DC-aware round robin), and
// every host `ignored` once the sink has closed its client. The driver (4.x) starts a host's
// 200 ms health-count interval each time it sets the host's distance, and a control-connection
// refresh or a re-prepare still in flight at shutdown() does so after the pools are shut down:
// an interval nobody clears, which keeps the process alive. For an ignored host it starts none.
import cassandra from 'cassandra-driver';

const { policies, types } = cassandra;

export class ClosablePolicy extends policies.loadBalancing.TokenAwarePolicy {
  private closed = false;

  constructor(datacenter: string | undefined) {
    super(datacenter === undefined ? new policies.loadBalancing.RoundRobinPolicy() : new policies.loadBalancing.DCAwareRoundRobinPolicy(datacenter));
  }

  override getDistance(host: cassandra.Host): cassandra.types.distance {
    return this.closed ? types.distance.ignored : super.getDistance(host);
  }

  /** From now on every host is ignored (call before the client's shutdown()). */
  close(): void {
    this.closed = true;
  }
}
