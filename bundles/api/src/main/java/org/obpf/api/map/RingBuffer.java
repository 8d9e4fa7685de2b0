package org.obpf.api.map;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * The user-space side of a {@code BPF_MAP_TYPE_RINGBUF} map, as libbpf's {@code ring_buffer__consume}
 * reads it: records submitted by programs, in order, skipping discarded ones.
 */
public interface RingBuffer extends BpfMap {

    /**
     * Hands every submitted record to {@code sample} (a read-only view valid during the call) and
     * releases its space; stops at the first record still being written.
     *
     * @return the number of records handed over
     */
    int consume(Consumer<ByteBuffer> sample);

    /** Bytes between the consumer and producer positions ({@code BPF_RB_AVAIL_DATA}). */
    long availableData();
}
