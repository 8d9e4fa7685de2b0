package org.obpf.core.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.core.map.ArrayMapTest.fails;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;

class RingBufMapTest {
    private static final MemorySegment MEM = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private static RingBufMap ring(int size) throws BpfException {
        return (RingBufMap) Maps.create(new MapSpec("events", MapType.RINGBUF, 0, 0, size, 0));
    }

    private static List<String> drain(RingBufMap rb) {
        List<String> out = new ArrayList<>();
        rb.consume(b -> {
            byte[] x = new byte[b.remaining()];
            b.get(x);
            out.add(new String(x));
        });
        return out;
    }

    @Test
    void sizeMustBeAPowerOfTwoAndPageAligned() {
        assertEquals("map r: ringbuf needs key and value size 0 and max_entries a power of 2 and a multiple of 4096"
                + " (got key 0, value 0, max_entries 6000)",
                fails(Errno.EINVAL, () -> Maps.create(new MapSpec("r", MapType.RINGBUF, 0, 0, 6000, 0))).getMessage());
        fails(Errno.EINVAL, () -> Maps.create(new MapSpec("r", MapType.RINGBUF, 0, 0, 2048, 0)));
        fails(Errno.EINVAL, () -> Maps.create(new MapSpec("r", MapType.RINGBUF, 4, 0, 4096, 0)));
    }

    @Test
    void recordsHaveTheKernelHeaderAndBusyDiscardBits() throws BpfException {
        RingBufMap rb = ring(4096);
        long a = rb.reserve(5, 0);
        long hdr = a - 8;
        assertEquals(rb.data().address(), hdr);
        assertEquals(5 | RingBufMap.BPF_RINGBUF_BUSY_BIT, MEM.get(ValueLayout.JAVA_INT, hdr));
        // pg_off counts pages from the kernel's struct bpf_ringbuf: its first page, consumer, producer, then data
        assertEquals(3, MEM.get(ValueLayout.JAVA_INT, hdr + 4));
        assertEquals(16, rb.producerPosition()); // 8-byte header + 5 bytes, rounded up to 8
        long b = rb.reserve(3, 0);
        assertEquals(a + 16, b);
        MEM.asSlice(a, 5).copyFrom(MemorySegment.ofArray("hello".getBytes()));
        MEM.asSlice(b, 3).copyFrom(MemorySegment.ofArray("bye".getBytes()));
        assertTrue(rb.commit(b, false));
        assertEquals(List.of(), drain(rb), "the first record is still busy: nothing is consumed past it");
        assertTrue(rb.commit(a, true));
        assertEquals(5 | RingBufMap.BPF_RINGBUF_DISCARD_BIT, MEM.get(ValueLayout.JAVA_INT, hdr));
        assertFalse(rb.commit(a, false), "a record commits once");
        assertEquals(List.of("bye"), drain(rb));
        assertEquals(32, rb.consumerPosition());
        assertEquals(0, rb.availableData());
        assertEquals(0, rb.reserve(1, 1), "reserve flags must be 0");
    }

    @Test
    void fullRingRefusesAndWrappedRecordsReadBackWhole() throws BpfException {
        RingBufMap rb = ring(4096);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment big = arena.allocate(4000);
            big.fill((byte) 'x');
            assertEquals(0, rb.output(big, 0));
            assertEquals(-Errno.EAGAIN.value(), rb.output(big, 0));
            assertEquals(-Errno.EINVAL.value(), rb.output(big, 4));
            assertEquals(4008, rb.query(RingBufMap.BPF_RB_AVAIL_DATA));
            assertEquals(4096, rb.query(RingBufMap.BPF_RB_RING_SIZE));
            assertEquals(1, drain(rb).size());
            // the next record starts at 4008 and wraps past 4096
            MemorySegment msg = arena.allocate(200);
            for (int i = 0; i < 200; i++) msg.set(ValueLayout.JAVA_BYTE, i, (byte) ('a' + i % 26));
            assertEquals(0, rb.output(msg, RingBufMap.BPF_RB_NO_WAKEUP));
            List<String> out = drain(rb);
            assertEquals(1, out.size());
            assertEquals(new String(msg.toArray(ValueLayout.JAVA_BYTE)), out.get(0));
            assertEquals(4008 + 208, rb.query(RingBufMap.BPF_RB_CONS_POS));
            assertEquals(rb.query(RingBufMap.BPF_RB_CONS_POS), rb.query(RingBufMap.BPF_RB_PROD_POS));
        }
    }

    @Test
    void hostSideElementOperationsAreNotSupported() throws BpfException {
        RingBufMap rb = ring(4096);
        fails(Errno.ENOTSUPP, () -> rb.lookup(null));
        fails(Errno.ENOTSUPP, () -> rb.update(null, null, 0));
        fails(Errno.ENOTSUPP, () -> rb.nextKey(null));
    }
}
