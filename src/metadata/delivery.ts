// Connector-level delivery settings owned by the core: batching, journal bound, source QoS.
import Type, { type Static } from 'typebox';

export const DeliverySchema = Type.Object(
  {
    batch_size: Type.Integer({ minimum: 1, maximum: 10_000, default: 100, description: 'Most records handed to the sink in one batch.' }),
    linger_ms: Type.Integer({ minimum: 0, maximum: 60_000, default: 10, description: 'Longest wait for a full batch before a partial one is sent, in ms.' }),
    max_journal_bytes: Type.Integer({ minimum: 1_048_576, maximum: 1_099_511_627_776, default: 1_073_741_824, description: 'Bound on the pending journal (payload + topic bytes) of this connector.' }),
    on_journal_full: Type.Enum(['backpressure', 'drop_oldest'], { default: 'backpressure', description: 'backpressure: stop acknowledging the broker until there is room; drop_oldest: delete the oldest pending records, counted as discarded{journal_full}.' }),
    qos: Type.Integer({ minimum: 0, maximum: 2, default: 1, description: 'QoS of the MQTT subscription.' }),
    max_in_flight: Type.Optional(Type.Integer({ minimum: 1, maximum: 64, description: "Most batches being written at once; offsets are still committed in order. Unset: the type's default (1 unless its page says otherwise). Above 1, a record retried in one batch may land after records of a later batch." })),
  },
  { additionalProperties: false },
);

export type Delivery = Static<typeof DeliverySchema>;
